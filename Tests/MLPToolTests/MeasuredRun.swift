import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One run of the `mlp` binary with what the fault suite asserts about it: status, output,
/// the child's own peak resident memory (`ru_maxrss` from `wait4`, in KiB; not the test
/// process's, and not another child's) and the wall time, the child killed after `timeout`.
struct MeasuredRun {
    var exitStatus: Int32
    var standardOutput: String
    var standardError: String
    var peakKiB: Int
    var seconds: Double
    var timedOut: Bool

    /// The first line of standard error.
    var errorLine: String { String(standardError.split(separator: "\n", omittingEmptySubsequences: true).first ?? "") }
}

/// Runs `mlp arguments` (stdin from /dev/null, stdout to `standardOutputPath` or a file) by
/// `posix_spawn`, so that `wait4` reports this child's resources.
func measuredRun(_ arguments: [String], timeout: Double = 60, standardOutputPath: String? = nil,
                 environment: [String: String] = [:]) throws -> MeasuredRun {
    let folder = try makeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let outPath = standardOutputPath ?? folder.appendingPathComponent("stdout").path
    let errPath = folder.appendingPathComponent("stderr").path
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = ([toolURL.path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { variables.forEach { free($0) } }
    var pid: pid_t = 0
    let started = Date()
    let code = posix_spawn(&pid, toolURL.path, &actions, nil, argv, variables)
    guard code == 0 else { throw CocoaError(.executableLoad) }
    var status: Int32 = 0, usage = rusage(), timedOut = false
    while true {
        let done = wait4(pid, &status, WNOHANG, &usage)
        if done == pid { break }
        if done < 0 && errno != EINTR { break }
        if Date().timeIntervalSince(started) > timeout, !timedOut {
            timedOut = true
            kill(pid, SIGKILL)
        }
        usleep(5_000)
    }
    let seconds = Date().timeIntervalSince(started)
    let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let out = standardOutputPath == nil ? String(decoding: try contentsOfFile(URL(fileURLWithPath: outPath)), as: UTF8.self) : ""
    let err = String(decoding: try contentsOfFile(URL(fileURLWithPath: errPath)), as: UTF8.self)
    return MeasuredRun(exitStatus: exit, standardOutput: out, standardError: err, peakKiB: usage.ru_maxrss,
                       seconds: seconds, timedOut: timedOut)
}

/// Everything under a folder, by relative path, as `lstat` sees it (links not followed): kind
/// and mode, and the bytes of a regular file or the target of a link. Two snapshots are equal
/// when nothing in the folder changed, byte for byte.
struct FolderSnapshot: Equatable {
    var entries: [String: String]

    init(_ root: String, skipping skipped: Set<String> = []) {
        entries = [:]
        func visit(_ relative: String) {
            let path = relative.isEmpty ? root : root + "/" + relative
            var status = stat()
            guard lstat(path, &status) == 0 else { return }
            var description = "mode \(String(status.st_mode, radix: 8)) rdev \(status.st_rdev) uid \(status.st_uid)"
            switch status.st_mode & S_IFMT {
            case S_IFREG:
                let bytes = (try? contentsOfFile(URL(fileURLWithPath: path))) ?? Data()
                description += " bytes \(bytes.count) \(bytes.hashValue) \(Array(bytes.prefix(64)))"
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: 4096)
                let count = readlink(path, &buffer, 4095)
                description += " -> \(String(decoding: buffer[..<max(count, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self))"
            case S_IFDIR:
                for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where !skipped.contains(name) {
                    visit(relative.isEmpty ? name : relative + "/" + name)
                }
            default: break
            }
            entries[relative.isEmpty ? "." : relative] = description
        }
        visit("")
    }

    /// The paths whose entries differ (added, removed or changed), sorted.
    func differences(from other: FolderSnapshot) -> [String] {
        Set(entries.keys).union(other.entries.keys).filter { entries[$0] != other.entries[$0] }.sorted()
    }
}

/// Whether this process may create device nodes (root with CAP_MKNOD).
let isRoot = geteuid() == 0
