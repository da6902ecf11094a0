import Foundation

/// Busy-looping child processes that compete with the benchmark for the cores, the way other
/// work on a shared machine does (`mlp-bench train --competing-load N`).
///
/// Each is `/bin/sh -c 'while :; do :; done'`, a process of its own (the scheduler treats it as
/// any other program's), started by ``start(_:)`` and ended by ``stop()`` (SIGTERM, then
/// reaped); they are also ended when the benchmark exits through ``stop()`` in a `defer`.
final class CompetingLoad {
    private var processes: [Process] = []

    /// Starts `count` busy loops (none for 0).
    static func start(_ count: Int) throws -> CompetingLoad {
        let load = CompetingLoad()
        for _ in 0..<count {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "while :; do :; done"]
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
