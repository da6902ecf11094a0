import Foundation
import Synchronization

/// A small pool of long-lived worker threads for the parts of one threaded product, in place
/// of `DispatchQueue.concurrentPerform`.
///
/// Why: measured on this machine, a `concurrentPerform` whose libdispatch worker is asleep costs
/// some 50 microseconds to start and allocates on the heap (6-16 blocks per training step), and a
/// training step makes five threaded products. Here the caller runs part 0 itself (and any part
/// no worker has claimed yet), and a worker that has just finished a part spins for about
/// ``spinIterations`` atomic loads (about half a millisecond) before it sleeps on a semaphore,
/// so the products of one step, and of the next step, reach a worker that is still awake.
/// Nothing is allocated per call.
///
/// On a shared machine (other processes busy on the same cores) threads are preempted for a
/// whole time slice of the scheduler, milliseconds against a product's tens of microseconds.
/// So: a part that no thread has started is taken by whichever thread is free, the caller
/// included (a preempted worker holds up only a part it had claimed); a spinning worker yields
/// its core every microsecond or so (``yieldMask``), so it is charged little and not preempted
/// later in the middle of a part; and a caller whose own parts are done spins only briefly
/// (``callerSpinNanoseconds``, by the clock, without yielding: a yield on a busy core hands it
/// to another process for a whole time slice) and then parks until the last part ends.
///
/// Protocol of one ``run(parts:_:)``: the caller writes the job (pointer, function, part
/// count, pending count), then publishes a new ``ticket``, `generation * partLimit + 0`. Parts are claimed by a
/// compare-and-swap of the ticket from `g * partLimit + p` to `g * partLimit + p + 1` while p is
/// below the part count, so a claim can only ever succeed for the generation its claimer saw
/// (a worker late from an earlier job cannot take a part of the next one). Each finished part
/// counts down `pending`; the caller claims parts the same way, then waits for pending to reach
/// zero, after which no worker reads the job again. Calls are serialised by a lock, so
/// products from several threads at once take turns in the pool (each still correct).
final class GEMMThreadPool: @unchecked Sendable {
    /// The pool every ``SwiftBackend`` and ``OpenBLASBackend`` shares: workers are made as thread counts ask for them.
    static let shared = GEMMThreadPool()

    /// Atomic loads a worker makes while waiting for the next job before it sleeps: about half a
    /// millisecond here. The serial stretch between two products of a training step (the output
    /// layer, loss and small products at batch 128) takes some 40 microseconds; with 2^16 loads
    /// (some 30 microseconds) the worker was often asleep by then, and waking it made the next
    /// product 60% slower (`mlp-bench profile`, layer 1 weight gradient: 68 against 42 us).
    static let spinIterations = 1 << 20

    /// A spinning worker yields its core every `yieldMask + 1` loads (about a microsecond).
    static let yieldMask = (1 << 10) - 1

    /// How long a caller whose own parts are done spins before it parks: 15 microseconds,
    /// several times the usual imbalance between the parts of one product.
    static let callerSpinNanoseconds: UInt64 = 15_000

    /// The monotonic clock in nanoseconds.
    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// Parts per job are below this; the ticket is `generation * partLimit + next part`.
    static let partLimit = 1 << 16
    private let ticket = Atomic<Int>(0)
    private let partCount = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)
    /// Where a caller whose parts are done parks until the last worker's part is (see ``waitForParts()``).
    private let done = NSCondition()
    private let callerParked = Atomic<Bool>(false)
    private let calls = Locked<Int>(0)  // serialises run(parts:_:); holds the worker count
    /// A part's code: `(job, part index)`, a C function so that it is a plain pointer.
    typealias PartFunction = @convention(c) (UnsafeRawPointer, Int) -> Void
    /// The job and its part function, written before the ticket is published.
    private nonisolated(unsafe) var job: UnsafeRawPointer?
    private nonisolated(unsafe) var function: PartFunction?

    private init() {
    }

    /// Runs `function(job, 0) ... function(job, count - 1)`, part 0 (at least) on the calling
    /// thread, the others on up to `count - 1` workers, and returns when all are done (so `job`
    /// may point into the caller's stack).
    func run(parts count: Int, job: UnsafeRawPointer, _ function: PartFunction) {
        if count <= 1 {
            if count == 1 { function(job, 0) }
            return
        }
        calls.withLock { workers in
            while workers < count - 1 {
                let thread = Thread { [self] in workerLoop() }
                thread.name = "swiftmlp-gemm-\(workers + 1)"
                thread.start()
                workers += 1
            }
            precondition(count < Self.partLimit, "GEMMThreadPool: \(count) parts")
            // Close the previous job before writing this one. A worker still in claimParts
            // with a ticket of the old generation could otherwise see the new part count
            // (written below, before the new ticket) and win its compare-and-swap on the old
            // ticket, running a part of this job unsynchronised and twice. Found by
            // ThreadSanitizer (make sanitize); with the ticket closed, that swap fails.
            let previous = ticket.load(ordering: .relaxed) / Self.partLimit
            ticket.store(previous * Self.partLimit + Self.partLimit - 1, ordering: .sequentiallyConsistent)
            self.job = job
            self.function = function
            partCount.store(count, ordering: .relaxed)
            pending.store(count, ordering: .relaxed)
            let generation = previous + 1
            ticket.store(generation * Self.partLimit, ordering: .sequentiallyConsistent)
            let asleep = sleepers.load(ordering: .sequentiallyConsistent)
            for _ in 0..<min(asleep, count - 1) { wake.signal() }
            claimParts(generation: generation)
            waitForParts()
        }
    }

    /// Returns when every part of the current job is done: spins for ``callerSpinNanoseconds``
    /// (the other parts normally end within microseconds of the caller's), then parks on
    /// ``done`` until the worker that finishes the last part signals it. Parking matters on a
    /// shared machine: a worker preempted in the middle of its part may take a whole time slice
    /// of the scheduler to come back, and a caller spinning meanwhile takes its core from
    /// whatever else runs there (and loses its own priority with the scheduler for nothing).
    private func waitForParts() {
        var spins = 0
        let start = Self.nanoseconds()
        while pending.load(ordering: .acquiring) > 0 {
            spins += 1
            // No sched_yield here: on a busy machine it hands the core to another process for a
            // whole time slice while the parts end within microseconds.
            if spins & Self.yieldMask != 0 || Self.nanoseconds() &- start < Self.callerSpinNanoseconds { continue }
            done.lock()
            callerParked.store(true, ordering: .sequentiallyConsistent)
            while pending.load(ordering: .sequentiallyConsistent) > 0 { done.wait() }
            callerParked.store(false, ordering: .relaxed)
            done.unlock()
        }
    }

    /// Counts a finished part down; the last one wakes a parked caller.
    private func finishPart() {
        if pending.subtract(1, ordering: .sequentiallyConsistent).newValue == 0
            && callerParked.load(ordering: .sequentiallyConsistent) {
            done.lock()
            done.signal()
            done.unlock()
        }
    }

    /// Claims and runs parts of job `generation` until none is left (or a newer job is out).
    private func claimParts(generation: Int) {
        var current = ticket.load(ordering: .acquiring)
        while current / Self.partLimit == generation && current % Self.partLimit < partCount.load(ordering: .relaxed) {
            let (claimed, seen) = ticket.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if claimed {
                runPart(current % Self.partLimit)
                finishPart()
                current = ticket.load(ordering: .acquiring)
            } else {
                current = seen
            }
        }
    }

    private func runPart(_ part: Int) {
        function!(job!, part)
    }

    private func workerLoop() {
        var seen = ticket.load(ordering: .acquiring) / Self.partLimit
        while true {
            var spins = 0
            while ticket.load(ordering: .acquiring) / Self.partLimit == seen {
                spins += 1
                // On a shared machine, hand the core to whatever else is runnable now and then
                // (returns at once when nothing is): a worker that only spins is charged the
                // whole time by the scheduler and preempted later in the middle of a part,
                // where the caller has to wait for it.
                if spins & Self.yieldMask == 0 { sched_yield() }
                if spins < Self.spinIterations { continue }
                sleepers.add(1, ordering: .sequentiallyConsistent)
                // Re-check after announcing the sleep, so a job posted meanwhile is not missed;
                // a signal meant for this worker that it no longer needs only costs a spurious wake.
                if ticket.load(ordering: .sequentiallyConsistent) / Self.partLimit == seen { wake.wait() }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                spins = 0
            }
            seen = ticket.load(ordering: .acquiring) / Self.partLimit
            claimParts(generation: seen)
        }
    }
}
