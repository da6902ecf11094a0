#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic whole-file writes on POSIX file descriptors.
///
/// Reads allocate exactly the size `fstat` reports (and stop there, so a file that grows while
/// being read is cut at that size). Writes go to a temporary file in the destination's folder,
/// are flushed with `fsync`, then `rename`d over the destination, so a reader sees the old file
/// or the new one, never a part of either; on any failure the temporary file is removed and the
/// destination is untouched.
public enum BinaryFile {
    /// The bytes of the regular file at `path`.
    ///
    /// - Throws: `FileError.notFound`, `.notAFile` or `.unreadable`.
    public static func read(atPath path: String) throws(FileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { throw .notFound(path: path) }
            if code == EISDIR { throw .notAFile(path: path) }
            throw .unreadable(path: path, reason: systemMessage(code))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path: path, reason: systemMessage(errno)) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .notAFile(path: path) }
        let size = Int(status.st_size)
        var failure: Int32 = 0
        var filled = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while filled < size {
                let got = systemRead(descriptor, buffer.baseAddress! + filled, size - filled)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if got == 0 { break }  // the file shrank since fstat
                filled += got
            }
            initialized = filled
        }
        if failure != 0 { throw .unreadable(path: path, reason: systemMessage(failure)) }
        return bytes
    }

    /// Replaces the file at `path` with `bytes` atomically (temporary file, `fsync`, `rename`).
    ///
    /// The temporary file is `.<name>.tmp-XXXXXX` beside `path` (same folder, so `rename` never
    /// crosses file systems); `mkstemp` creates it with mode 0600, which is widened to 0644.
    ///
    /// - Throws: `FileError.unwritable`; the file at `path`, if any, is then unchanged.
    public static func writeAtomically(_ bytes: [UInt8], toPath path: String) throws(FileError) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else { throw .unwritable(path: path, reason: "the path names a folder, not a file") }
        var template = Array((folder + "." + name + ".tmp-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw .unwritable(path: path, reason: systemMessage(errno)) }
        let temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure: Int32 = 0
        bytes.withUnsafeBufferPointer { buffer in
            var written = 0
            while written < buffer.count {
                let put = systemWrite(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if put < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += put
            }
        }
        if failure == 0, fchmod(descriptor, 0o644) != 0 { failure = errno }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporaryPath, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporaryPath)
            throw .unwritable(path: path, reason: systemMessage(failure))
        }
    }

    private static func systemMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

// `read` and `write` are shadowed inside `BinaryFile` by its own static methods' names.
@inline(__always) private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

@inline(__always) private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
