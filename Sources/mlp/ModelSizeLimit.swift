import NeuralNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The largest network `mlp` agrees to build from the command line.
///
/// Training keeps four `Float`s per parameter (the parameter, its gradient, and up to two
/// optimizer slots for Adam), so a network is refused, with one line instead of an
/// arithmetic-overflow trap or an out-of-memory kill, when
///
/// - its parameter count, or that count times 16 bytes, overflows a 64-bit `Int`, or
/// - those bytes exceed the machine's physical memory (`sysconf(_SC_PHYS_PAGES)` pages).
///
/// Layer dimensions beyond cblas's 32-bit `Int32.max` are not refused here: the OpenBLAS
/// backend cuts such products into blocks that fit.
enum ModelSizeLimit {
    /// Bytes of training state per parameter.
    static let bytesPerParameter = 4 * MemoryLayout<Float>.size

    /// Throws a ``CommandError`` naming `flag`'s sizes when `architecture` is too large.
    static func check(_ architecture: Architecture, flag: String) throws {
        let sizes = architecture.sizes.map(String.init).joined(separator: ",")
        guard let count = architecture.parameterCount else {
            throw CommandError("\(flag) \(sizes): the parameter count overflows a 64-bit integer")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: bytesPerParameter)
        let memory = physicalMemory()
        if overflow || bytes > memory {
            let needed = overflow ? "more than 2^63 bytes" : byteText(bytes)
            throw CommandError("\(flag) \(sizes): \(count) parameters need \(needed) to train "
                               + "(parameters, gradients, optimizer state), more than this machine's \(byteText(memory)) of memory")
        }
    }

    static func physicalMemory() -> Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return Int.max }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? Int.max : bytes
    }

    /// `12.3 GB` (powers of 1000).
    static func byteText(_ bytes: Int) -> String {
        var value = Double(bytes)
        for unit in ["bytes", "kB", "MB", "GB", "TB", "PB"] {
            if value < 1000 || unit == "PB" {
                return unit == "bytes" ? "\(bytes) bytes" : format(value, digits: 1) + " " + unit
            }
            value /= 1000
        }
        return "\(bytes) bytes"
    }
}
