#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic whole-file writes on POSIX file descriptors: the one place the
/// package reads or writes a file.
///
/// Reads allocate exactly the size `fstat` reports (and stop there, so a file that grows while
/// being read is cut at that size). Only regular files are read; anything else (a FIFO, a
/// device, a socket, a folder) is refused before it is opened, so nothing blocks in `open`.
///
/// **What a write replaces.** ``writeAtomically(_:toPath:)`` writes a temporary file in the
/// destination's folder, flushes it with `fsync` and `rename`s it over the destination, so a
/// reader sees the old file or the new one, never a part of either. The destination may be
///
/// - absent: it is created with mode 0644;
/// - a regular file: it is replaced, and the new file keeps the old one's permission bits
///   (and, when running as root, its owner and group);
/// - a symbolic link (or a chain of them) to a regular file: the link stays and the file it
///   names is replaced, by the same rules.
///
/// Anything else is refused and left as it is: a folder, a FIFO, a device node, a socket, a
/// link to one of those or to nothing, and any file this process has read as an input while
/// ``protectsInputs`` is on (a run's `--save` equal to its `--data`). On any failure the
/// temporary file is removed and the destination is untouched; temporary files left by a
/// killed writer are removed by the next write to the same path (`removeStaleTemporaryFiles`).
public enum BinaryFile {
    /// The bytes of the regular file at `path`.
    ///
    /// - Throws: `FileError.notFound`, `.notAFile` (checked before opening, so a FIFO never
    ///   blocks) or `.unreadable`.
    public static func read(atPath path: String) throws(FileError) -> [UInt8] {
        var status = stat()
        if stat(path, &status) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .notFound(path: path) }
            throw .unreadable(path: path, reason: systemMessage(code))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .notAFile(path: path, kind: FileKind(mode: status.st_mode)) }
        // O_NONBLOCK: should the path be swapped for a FIFO after the check, open still returns.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { throw .notFound(path: path) }
            throw .unreadable(path: path, reason: systemMessage(code))
        }
        defer { close(descriptor) }
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path: path, reason: systemMessage(errno)) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .notAFile(path: path, kind: FileKind(mode: status.st_mode)) }
        InputRegistry.record(status)
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

    /// Replaces the file at `path` with `bytes` atomically (temporary file, `fsync`, `rename`),
    /// by the rules in the type's summary.
    ///
    /// The temporary file is `.<name>.tmp-XXXXXX` beside the file replaced (same folder, so
    /// `rename` never crosses file systems), locked with `flock` while it is written so that
    /// a later write can tell a killed writer's leftover from a live one.
    ///
    /// - Throws: `FileError.notAFile` or `.unwritable`; the file at `path`, if any, is then unchanged.
    public static func writeAtomically(_ bytes: [UInt8], toPath path: String) throws(FileError) {
        let destination = try writableDestination(path)
        let slash = destination.path.lastIndex(of: "/")
        let folder = slash.map { String(destination.path[...$0]) } ?? ""
        let name = slash.map { String(destination.path[destination.path.index(after: $0)...]) } ?? destination.path
        removeStaleTemporaryFiles(folder: folder, name: name)
        let (descriptor, temporaryPath) = try makeLockedTemporaryFile(folder: folder, name: name, reportedAs: path)
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
        let mode = destination.existing.map { $0.st_mode & 0o7777 } ?? 0o644
        if failure == 0, fchmod(descriptor, mode) != 0 { failure = errno }
        if failure == 0, let existing = destination.existing, geteuid() == 0,
           fchown(descriptor, existing.st_uid, existing.st_gid) != 0 { failure = errno }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        if failure == 0, rename(temporaryPath, destination.path) != 0 { failure = errno }
        if failure != 0 { unlink(temporaryPath) }
        close(descriptor)  // releases the lock only after the rename (or the unlink)
        if failure != 0 { throw .unwritable(path: path, reason: systemMessage(failure)) }
    }

    package static func systemMessage(_ code: Int32) -> String {
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
