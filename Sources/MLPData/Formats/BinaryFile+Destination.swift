#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// What kind of node a path names, for messages (`lstat`'s or `stat`'s `st_mode`).
public enum FileKind: Sendable, Equatable, CustomStringConvertible {
    case regular, folder, fifo, characterDevice, blockDevice, socket, symbolicLink, danglingLink, other

    package init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .folder
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        case S_IFLNK: self = .symbolicLink
        default: self = .other
        }
    }

    public var description: String {
        switch self {
        case .regular: "a regular file"
        case .folder: "a folder"
        case .fifo: "a FIFO"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .socket: "a socket"
        case .symbolicLink: "a symbolic link"
        case .danglingLink: "a symbolic link to nothing"
        case .other: "a special file"
        }
    }
}

/// The (device, inode) pairs of the regular files this process has read through
/// ``BinaryFile/read(atPath:)``, kept while ``BinaryFile/protectsInputs`` is on.
enum InputRegistry {
    struct Identity: Hashable { var device: UInt64; var inode: UInt64 }
    static let state = Mutex<(on: Bool, files: Set<Identity>)>((false, []))

    static func record(_ status: stat) {
        state.withLock { if $0.on { $0.files.insert(Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))) } }
    }

    static func contains(_ status: stat) -> Bool {
        state.withLock { $0.on && $0.files.contains(Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))) }
    }
}

extension BinaryFile {
    /// When on, every file read afterwards is an input that no write of this process may
    /// replace (``FileError/isInput(path:)``). A tool turns it on once, at start; off by default.
    public static var protectsInputs: Bool {
        get { InputRegistry.state.withLock { $0.on } }
        set { InputRegistry.state.withLock { $0.on = newValue } }
    }

    /// Checks, without writing anything, that ``writeAtomically(_:toPath:)`` could write
    /// `path`: what is there may be replaced and its folder exists and is writable. For
    /// checking output paths before a long computation.
    ///
    /// - Throws: `FileError.notAFile`, `.isInput` or `.unwritable`.
    public static func checkWritable(_ path: String) throws(FileError) {
        let destination = try writableDestination(path)
        let slash = destination.path.lastIndex(of: "/")
        let folder = slash.map { String(destination.path[...$0]) } ?? "."
        var status = stat()
        guard stat(folder, &status) == 0 else { throw .unwritable(path: path, reason: "its folder: \(systemMessage(errno))") }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw .unwritable(path: path, reason: "its folder \(folder) is not a folder") }
        guard access(folder, W_OK | X_OK) == 0 else { throw .unwritable(path: path, reason: "its folder: \(systemMessage(errno))") }
    }

    /// The path a write to `path` replaces (the final target of a symbolic link, else `path`)
    /// and the status of the regular file there, if any.
    static func writableDestination(_ path: String) throws(FileError) -> (path: String, existing: stat?) {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard !name.isEmpty, name != ".", name != ".." else {
            throw .unwritable(path: path, reason: "the path names a folder, not a file")
        }
        var status = stat()
        guard lstat(path, &status) == 0 else {
            let code = errno
            if code == ENOENT { return (path, nil) }
            throw .unwritable(path: path, reason: systemMessage(code))
        }
        var target = path
        if (status.st_mode & S_IFMT) == S_IFLNK {
            guard stat(path, &status) == 0 else { throw .notAFile(path: path, kind: .danglingLink) }
            guard let resolved = realpath(path, nil) else { throw .unwritable(path: path, reason: systemMessage(errno)) }
            target = String(cString: resolved)
            free(resolved)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .notAFile(path: path, kind: FileKind(mode: status.st_mode)) }
        if InputRegistry.contains(status) { throw .isInput(path: path) }
        return (target, status)
    }

    /// Creates `folder.name.tmp-XXXXXX` (mode 0600) and locks it (`flock`, exclusive) for as
    /// long as the descriptor is open.
    static func makeLockedTemporaryFile(folder: String, name: String, reportedAs path: String) throws(FileError) -> (Int32, String) {
        for _ in 0..<8 {
            var template = Array((folder + "." + name + temporaryInfix + "XXXXXX").utf8CString)
            let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard descriptor >= 0 else { throw .unwritable(path: path, reason: systemMessage(errno)) }
            let temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var status = stat()
            // Between mkstemp and flock another writer's cleanup may have taken the new file
            // for a leftover and removed it: then try another name.
            if flock(descriptor, LOCK_EX) == 0, fstat(descriptor, &status) == 0, status.st_nlink > 0 {
                return (descriptor, temporaryPath)
            }
            close(descriptor)
        }
        throw .unwritable(path: path, reason: "could not create a temporary file beside it")
    }

    package static let temporaryInfix = ".tmp-"

    /// Removes the temporary files that writes of `folder + name` left when they were killed:
    /// regular files named `.<name>.tmp-XXXXXX` (six characters, as `mkstemp` makes them) that
    /// no live writer holds locked. Never follows a link; failures are ignored (it is tidying).
    static func removeStaleTemporaryFiles(folder: String, name: String) {
        let prefix = "." + name + temporaryInfix
        guard let names = try? contentsOfFolder(atPath: folder.isEmpty ? "." : folder) else { return }
        for entry in names where entry.hasPrefix(prefix) && entry.utf8.count == prefix.utf8.count + 6 {
            let path = folder + entry
            let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            var status = stat()
            if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                unlink(path)
            }
            close(descriptor)
        }
    }
}
