#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Folder operations for multi-file atomic saves (checkpoints): create, list, flush, rename,
/// and a symbolic link replaced in one `rename`.
///
/// `rename(2)` replaces a file or a symbolic link atomically, but not a non-empty folder;
/// a set of files is therefore published by writing it into a fresh folder and then switching
/// a link to it (as NeuralNetwork's `Checkpoint` does).
extension BinaryFile {
    /// Creates the folder at `path` (mode 0755) unless a folder is already there.
    ///
    /// - Throws: `FileError.unwritable` when it cannot be created or a non-folder is in the way.
    public static func makeFolder(atPath path: String) throws(FileError) {
        if mkdir(path, 0o755) == 0 { return }
        let code = errno
        if code == EEXIST, isFolder(atPath: path) { return }
        throw .unwritable(path: path, reason: code == EEXIST ? "exists and is not a folder" : systemText(code))
    }

    /// Whether `path` names a folder (following symbolic links).
    public static func isFolder(atPath path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// The names in the folder at `path`, without `.` and `..`, in no particular order.
    ///
    /// - Throws: `FileError.notFound` or `.unreadable`.
    public static func contentsOfFolder(atPath path: String) throws(FileError) -> [String] {
        guard let stream = opendir(path) else {
            let code = errno
            if code == ENOENT { throw .notFound(path: path) }
            throw .unreadable(path: path, reason: systemText(code))
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Flushes the folder's entries (names created, renamed or removed in it) to the device,
    /// so a rename is durable as well as atomic.
    public static func synchronizeFolder(atPath path: String) throws(FileError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unwritable(path: path, reason: systemText(errno)) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .unwritable(path: path, reason: systemText(errno)) }
    }

    /// Renames `source` to `destination` in one step (same file system; a folder may only
    /// replace a missing or empty one).
    public static func renameItem(atPath source: String, toPath destination: String) throws(FileError) {
        guard rename(source, destination) == 0 else { throw .unwritable(path: destination, reason: systemText(errno)) }
    }

    /// Points the symbolic link at `path` to `target` (a name relative to the link's folder),
    /// atomically: a new link under a temporary name, then `rename` over the old one.
    public static func replaceSymbolicLink(atPath path: String, target: String) throws(FileError) {
        let temporary = path + ".tmp-link"
        var status = stat()
        if lstat(temporary, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK { unlink(temporary) }  // a killed writer's
        guard symlink(target, temporary) == 0 else { throw .unwritable(path: temporary, reason: systemText(errno)) }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .unwritable(path: path, reason: systemText(code))
        }
    }

    /// The target of the symbolic link at `path`, or nil when nothing is there.
    ///
    /// - Throws: `FileError.unreadable` when something other than a link is there.
    public static func symbolicLinkTarget(atPath path: String) throws(FileError) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        if count < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .unreadable(path: path, reason: code == EINVAL ? "not a symbolic link" : systemText(code))
        }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func systemText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
