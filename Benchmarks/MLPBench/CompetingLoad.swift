import Foundation

/// Busy-looping child processes that compete with the benchmark for the cores, the way other
/// work on a shared machine does (`mlp-bench train --competing-load N`).
///
/// Each is a `/bin/sh` busy loop, a process of its own (the scheduler treats it as any other
/// program's), started by ``start(_:)`` and ended by ``stop()`` (SIGTERM, then reaped), also
/// when the benchmark exits through ``stop()`` in a `defer`. A benchmark that is killed runs no
/// `defer`, so every 100,000 turns a loop also checks that the benchmark is still its parent
/// and ends when it is not (within about a tenth of a second).
final class CompetingLoad {
    private var processes: [Process] = []

    /// Spins, and ends once its parent is gone (`kill -0` and `[` are built into the shell: no
    /// process is started per check).
    static let busyLoop = #"parent=$PPID; i=0; while :; do i=$((i + 1)); if [ $i -ge 100000 ]; then i=0; kill -0 $parent 2>/dev/null || exit 0; fi; done"#

    /// Starts `count` busy loops (none for 0).
    static func start(_ count: Int) throws -> CompetingLoad {
        let load = CompetingLoad()
        for _ in 0..<count {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", Self.busyLoop]
            try process.run()
            load.processes.append(process)
        }
        // Give the scheduler a moment to spread them over the cores.
        if count > 0 { Thread.sleep(forTimeInterval: 0.2) }
        return load
    }

    /// The busy loops' process ids.
    var processIdentifiers: [Int32] { processes.map(\.processIdentifier) }

    /// Ends every busy loop this load started and waits for each.
    func stop() {
        for process in processes where process.isRunning { process.terminate() }
        for process in processes { process.waitUntilExit() }
        processes.removeAll()
    }

    deinit { stop() }
}
