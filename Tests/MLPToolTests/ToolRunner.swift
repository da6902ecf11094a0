import Foundation

/// What one run of the `mlp` binary printed and how it ended.
struct ToolRun {
    var standardOutput: String
    var standardError: String
    var exitStatus: Int32
}

/// Runs the built `mlp` binary (next to the test bundle in the build folder) with `arguments`.
func runTool(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> ToolRun {
    let process = Process()
    process.executableURL = toolURL
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    // Output goes to files, not pipes: a child that fills one pipe while we drain the other cannot block.
    let folder = try makeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return ToolRun(standardOutput: String(decoding: try contentsOfFile(outURL), as: UTF8.self),
                   standardError: String(decoding: try contentsOfFile(errURL), as: UTF8.self),
                   exitStatus: process.terminationStatus)
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
