#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deadline on one blocking call at a time: when a call run through ``guarding(_:)`` has not
/// returned within ``seconds``, the process writes its message to standard error and exits with
/// status 1.
///
/// It exists for collectives across hosts. A peer whose host has vanished (its link down, its
/// machine off) never answers, and TCP keeps the others waiting for many minutes before it
/// reports anything; with a deadline every surviving rank stops with a clear line instead. A rank
/// that exits this way never reaches a save, so no partial model or checkpoint is written: the
/// timer runs only inside a guarded call, and the files are written between collectives on the
/// thread that makes them, so `_exit` never cuts a write short (no temporary file is left).
///
/// It runs on `SIGALRM` (`setitimer(ITIMER_REAL)`): two system calls per guarded call and no
/// thread. The signal handler does only what is async-signal-safe: one `write` of a message
/// formatted beforehand, then `_exit`. There is one deadline per process (the timer is).
final class CollectiveWatchdog {
    /// How long one guarded call may take.
    let seconds: Double

    /// Arms nothing yet; installs the handler and keeps `message` (one line) for it.
    ///
    /// - Precondition: `seconds` is positive and finite, and no other watchdog exists.
    init(seconds: Double, message: String) {
        precondition(seconds > 0 && seconds.isFinite, "CollectiveWatchdog: \(seconds) seconds")
        precondition(watchdogMessage == nil, "CollectiveWatchdog: one per process")
        self.seconds = seconds
        let bytes = Array((message.hasSuffix("\n") ? message : message + "\n").utf8)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        watchdogMessage = buffer
        signal(SIGALRM) { _ in
            if let message = watchdogMessage, let base = message.baseAddress {
                _ = write(2, base, message.count)
            }
            _exit(1)
        }
    }

    /// Runs `body` with the deadline armed, and disarms it when `body` returns.
    func guarding<R>(_ body: () -> R) -> R {
        setTimer(seconds)
        defer { setTimer(0) }
        return body()
    }

    /// One shot of `seconds` (0 disarms).
    private func setTimer(_ seconds: Double) {
        let whole = seconds.rounded(.down)
        var timer = itimerval()
        timer.it_value.tv_sec = Int(whole)
        timer.it_value.tv_usec = Int((seconds - whole) * 1_000_000)
        #if canImport(Glibc)
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &timer, nil)
        #else
        setitimer(ITIMER_REAL, &timer, nil)
        #endif
    }
}

/// The message of the process's watchdog, read by the signal handler (set once, never freed).
nonisolated(unsafe) private var watchdogMessage: UnsafeMutableBufferPointer<UInt8>?
