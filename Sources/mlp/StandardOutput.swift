#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Standard output's write errors, which `print` does not report: a failed write only sets the
/// stream's error flag, so the tool flushes and checks the flag before it exits.
enum StandardOutput {
    /// Flushes standard output; throws when it, or any earlier write to it, failed.
    static func flush() throws {
        let stream = stdout
        errno = 0
        let flushed = fflush(stream) == 0
        let code = errno
        guard flushed, ferror(stream) == 0 else {
            let reason = !flushed && code != 0 ? ": " + String(cString: strerror(code)) : ""
            throw CommandError("standard output: write failed\(reason) (the output is incomplete)")
        }
    }
}
