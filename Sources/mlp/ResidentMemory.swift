#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The soak test's probe: with `SWIFTMLP_RSS_LOG=1` in the environment, `mlp train` writes
/// `rss epoch N: K kB` (the process's resident set, `VmRSS` in `/proc/self/status`) to
/// standard error after every epoch. Off otherwise; Linux only (elsewhere nothing is written).
enum ResidentMemory {
    static let isLogging: Bool = getenv("SWIFTMLP_RSS_LOG").map { String(cString: $0) == "1" } ?? false

    /// After epoch `epoch`: one line when logging is on.
    static func log(epoch: Int) {
        guard isLogging, let kilobytes = current() else { return }
        writeToStandardError("rss epoch \(epoch): \(kilobytes) kB\n")
    }

    /// `VmRSS` in kB, or nil when `/proc/self/status` cannot be read. (Read line by line:
    /// procfs files report size 0, so a read of `st_size` bytes would get nothing.)
    static func current() -> Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmRSS:") {
                return Int(text.dropFirst("VmRSS:".count).split { $0 == " " || $0 == "\t" }.first ?? "")
            }
        }
        return nil
    }
}
