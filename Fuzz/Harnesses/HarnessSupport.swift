// What every harness shares: the allocation budget, `require` and `show`.
//
// "Never allocate more than the file justifies", checked on every input: AddressSanitizer
// reports each allocation and release to the hooks below, which track the largest single
// block and the peak of live bytes while a reader runs. A harness traps when either exceeds
// its budget, a multiple of the input's size plus a constant, so a reader whose memory grows
// faster than its input (say quadratically) fails on a few-kilobyte input instead of needing
// one large enough to hit libFuzzer's -malloc_limit_mb.
#if canImport(Glibc)
import Glibc
#endif


@_silgen_name("__sanitizer_install_malloc_and_free_hooks")
func installSanitizerHooks(
    _ mallocHook: @convention(c) (UnsafeRawPointer?, Int) -> Void,
    _ freeHook: @convention(c) (UnsafeRawPointer?) -> Void
) -> CInt

@_silgen_name("__sanitizer_get_allocated_size")
func sanitizerAllocatedSize(_ pointer: UnsafeRawPointer?) -> Int

@_silgen_name("__sanitizer_get_ownership")
func sanitizerOwns(_ pointer: UnsafeRawPointer?) -> CInt

/// What the hooks saw since `AllocationBudget.measure` last started (libFuzzer is single-threaded).
nonisolated(unsafe) var largestBlock = 0
nonisolated(unsafe) var liveBytes = 0
nonisolated(unsafe) var peakLiveBytes = 0
nonisolated(unsafe) var measuring = false
nonisolated(unsafe) var hooksInstalled = false

/// A memory budget of `perInputByte * size + fixed` bytes for one reader call.
struct AllocationBudget {
    var perInputByte: Int
    var fixed: Int

    /// Runs `body` and traps if its largest allocation or its peak of live bytes exceeds the
    /// budget for an input of `size` bytes.
    func measure(size: Int, _ body: () -> Void) {
        if !hooksInstalled {
            hooksInstalled = true
            _ = installSanitizerHooks(
                { _, size in
                    guard measuring else { return }
                    largestBlock = max(largestBlock, size)
                    liveBytes += size
                    peakLiveBytes = max(peakLiveBytes, liveBytes)
                },
                { pointer in
                    guard measuring, sanitizerOwns(pointer) != 0 else { return }
                    liveBytes -= sanitizerAllocatedSize(pointer)
                })
        }
        largestBlock = 0
        liveBytes = 0
        peakLiveBytes = 0
        measuring = true
        body()
        measuring = false
        let limit = perInputByte * size + fixed
        require(largestBlock <= limit, "allocated a block of \(largestBlock) bytes for a \(size)-byte input (budget \(limit))")
        require(peakLiveBytes <= limit, "held \(peakLiveBytes) bytes at once for a \(size)-byte input (budget \(limit))")
    }
}

/// Traps with `message` unless `condition` holds; unlike `precondition`, keeps the message in
/// -O builds, so a crash report says which property failed.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// With FUZZ_SHOW set in the environment, prints a line per input saying what the reader
/// answered (for looking at corpus entries: `FUZZ_SHOW=1 fuzz-csv -runs=1 FILES`).
let showing = getenv("FUZZ_SHOW") != nil

func show(_ line: @autoclosure () -> String) {
    if showing { print(line()) }
}
