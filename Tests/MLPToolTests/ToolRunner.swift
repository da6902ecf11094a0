import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one run of the `mlp` binary printed and how it ended.
struct ToolRun {
    var standardOutput: String
    var standardError: String
    var exitStatus: Int32
}

/// Runs the built `mlp` binary (next to the test bundle in the build folder) with `arguments`.
func runTool(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> ToolRun {
    try StartedTool(arguments, in: directory, environment: environment).finish().run
}

/// A program (the `mlp` binary unless told otherwise) running in the background, its output
/// going to files, not pipes: a child that fills one pipe while we drain the other cannot block.
/// A run still going when this is released is killed.
final class StartedTool {
    let process = Process()
    let folder: URL

    init(_ arguments: [String], executable: URL = toolURL, in directory: URL? = nil,
         environment: [String: String] = [:]) throws {
        folder = try makeTemporaryFolder()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }

    func standardOutput() throws -> String {
        String(decoding: try contentsOfFile(folder.appendingPathComponent("stdout")), as: UTF8.self)
    }

    func standardError() throws -> String {
        String(decoding: try contentsOfFile(folder.appendingPathComponent("stderr")), as: UTF8.self)
    }

    /// Waits for the program to end (terminating it after `timeout`, when one is given) and
    /// returns what it printed and whether it had to be stopped.
    func finish(timeout: Duration? = nil) throws -> (run: ToolRun, timedOut: Bool) {
        var timedOut = false
        if let timeout {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning && !timedOut {
                if ContinuousClock.now > deadline {
                    timedOut = true
                    process.terminate()
                } else {
                    usleep(50_000)
                }
            }
        }
        process.waitUntilExit()
        return (ToolRun(standardOutput: try standardOutput(), standardError: try standardError(),
                        exitStatus: process.terminationStatus), timedOut)
    }
}

/// The `mlp` executable in the same build folder as the running test binary.
let toolURL: URL = {
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var folder = testBinary.deletingLastPathComponent()
    // Swift Testing may run from inside `X.xctest/...`; walk up until `mlp` is beside us.
    for _ in 0..<4 {
        let candidate = folder.appendingPathComponent("mlp")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        folder = folder.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: ".build/debug/mlp")
}()

/// A fresh temporary folder for one test.
func makeTemporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlp-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
