import Foundation

/// The bytes of the file at `url`, read through `FileHandle`.
///
/// Not `Data(contentsOf:)`: in the Swift 6.3.1 toolchain's FoundationEssentials it leaks a
/// 4096-byte buffer for every empty file (LeakSanitizer shows it under
/// `readBytesFromFile`), and the tool's standard output and error are often empty.
func contentsOfFile(_ url: URL) throws -> Data {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    return try handle.readToEnd() ?? Data()
}
