#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The owner of a checkpoint folder: which of its entries this package wrote (and may replace
/// or remove), and the lock that keeps two runs out of one folder.
///
/// **What the folder owns.** Only these names, and only when they are what ``Checkpoint``
/// writes:
///
/// - `latest`: a symbolic link (never anything else);
/// - `epoch-N`, `epoch-N-b` and the unfinished `.epoch-N.partial`, `.epoch-N-b.partial`
///   (N decimal digits): real folders, not links, holding nothing but regular files named
///   `model.safetensors`, `optimizer.safetensors` and `manifest.json` (or a killed write's
///   temporary file of one of them, `.model.safetensors.tmp-XXXXXX`);
/// - `.lock`: the lock file, a regular file (left in place).
///
/// Everything else in the folder is the user's and is never touched: `epoch-2019-photos`, a
/// `epoch-3` link to somewhere else, an `epoch-3` folder with another file in it. Removing a
/// checkpoint unlinks its three files by name (so nothing through a link) and then the empty
/// folder with `rmdir`.
///
/// **The lock.** ``init(lockingFolderAt:)`` takes an exclusive `flock` on `.lock` for the
/// object's lifetime; a second run on the same folder is refused at once rather than racing
/// the first. The kernel drops the lock when the process ends, however it ends.
public final class CheckpointFolder {
    /// The folder.
    public let path: String
    private let lockDescriptor: Int32

    /// The lock file's name inside the folder.
    public static let lockName = ".lock"
    /// The files one checkpoint consists of.
    static let fileNames: Set<String> = ["model.safetensors", "optimizer.safetensors", "manifest.json"]

    /// Creates the folder if it is missing and locks it.
    ///
    /// - Throws: ``CheckpointError`` when it cannot be created or locked, or another process
    ///   holds the lock.
    public init(lockingFolderAt path: String) throws(CheckpointError) {
        self.path = path
        do { try BinaryFile.makeFolder(atPath: path) } catch { throw CheckpointError(path: path, problem: error.description) }
        let lockPath = path + "/" + Self.lockName
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CheckpointError(path: lockPath, problem: "cannot open the lock file: \(BinaryFile.systemMessage(errno))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw CheckpointError(path: lockPath, problem: "is not a regular file; not used as the lock")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            throw code == EWOULDBLOCK ? Self.busy(path)
                : CheckpointError(path: path, problem: "cannot lock \(Self.lockName): \(BinaryFile.systemMessage(code))")
        }
        lockDescriptor = descriptor
    }

    /// The error for a folder another run holds.
    public static func busy(_ path: String) -> CheckpointError {
        CheckpointError(path: path, problem: "another run is using this checkpoint folder (its \(lockName) is locked)")
    }

    /// Whether another process holds the folder's lock now (without creating anything).
    public static func isLocked(_ path: String) -> Bool {
        let descriptor = open(path + "/" + lockName, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return flock(descriptor, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK
    }

    deinit { close(lockDescriptor) }

    /// The epoch N of a checkpoint entry name (`epoch-N`, `epoch-N-b`, `.epoch-N.partial`,
    /// `.epoch-N-b.partial`), or nil for any other name.
    public static func epoch(ofEntry name: String) -> Int? {
        var core = Substring(name)
        if core.hasPrefix("."), core.hasSuffix(".partial") { core = core.dropFirst().dropLast(".partial".count) }
        guard core.hasPrefix("epoch-") else { return nil }
        core = core.dropFirst("epoch-".count)
        if core.hasSuffix("-b") { core = core.dropLast(2) }
        guard !core.isEmpty, core.count <= 18, core.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(core)
    }

    /// Whether the folder at `path` holds a checkpoint or the remains of one: a `latest` entry
    /// of any kind, or an entry named like a checkpoint folder.
    public static func holdsCheckpoint(_ path: String) -> Bool {
        var status = stat()
        if lstat(path + "/" + Checkpoint.latestName, &status) == 0 { return true }
        let names = (try? BinaryFile.contentsOfFolder(atPath: path)) ?? []
        return names.contains { epoch(ofEntry: $0) != nil }
    }

    /// Removes the checkpoint entry `name` of `folder` if it is one this package wrote (see
    /// the type's summary); nothing there is fine.
    ///
    /// - Returns: false when something else is there (left untouched).
    /// - Throws: `FileError.unwritable` when a removal the rules allow fails.
    @discardableResult
    static func removeWrittenEntry(_ name: String, in folder: String) throws(FileError) -> Bool {
        guard epoch(ofEntry: name) != nil else { return false }
        let path = folder + "/" + name
        var status = stat()
        guard lstat(path, &status) == 0 else { return true }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { return false }
        let names = try BinaryFile.contentsOfFolder(atPath: path)
        for file in names {
            guard isWrittenFileName(file), lstat(path + "/" + file, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return false }
        }
        for file in names where unlink(path + "/" + file) != 0 && errno != ENOENT {
            throw .unwritable(path: path + "/" + file, reason: BinaryFile.systemMessage(errno))
        }
        guard rmdir(path) == 0 || errno == ENOENT else { throw .unwritable(path: path, reason: BinaryFile.systemMessage(errno)) }
        return true
    }

    /// One of a checkpoint's files, or the temporary file of a write of one that was killed
    /// (`.model.safetensors.tmp-XXXXXX`, see `BinaryFile.writeAtomically(_:toPath:)`).
    static func isWrittenFileName(_ name: String) -> Bool {
        if fileNames.contains(name) { return true }
        return fileNames.contains { file in
            let prefix = "." + file + BinaryFile.temporaryInfix
            return name.hasPrefix(prefix) && name.utf8.count == prefix.utf8.count + 6
        }
    }

    /// Makes room for a new checkpoint entry `name`: removes a leftover of ours there.
    ///
    /// - Throws: `FileError.unwritable` when something that is not ours is in the way.
    static func clearEntry(_ name: String, in folder: String) throws(FileError) {
        guard try removeWrittenEntry(name, in: folder) else {
            throw .unwritable(path: folder + "/" + name, reason: "is in the way and is not a checkpoint this program wrote; left as it is")
        }
    }

    /// Removes every checkpoint entry of ours except `kept`; the user's entries stay.
    static func removeOlderEntries(in folder: String, keeping kept: String) throws(FileError) {
        for entry in try BinaryFile.contentsOfFolder(atPath: folder) where entry != kept && epoch(ofEntry: entry) != nil {
            try removeWrittenEntry(entry, in: folder)
        }
    }

    /// Checks that `folder/latest` is a symbolic link or absent, so that replacing it replaces
    /// nothing of the user's.
    static func checkLatestLink(in folder: String) throws(FileError) {
        var status = stat()
        let latest = folder + "/" + Checkpoint.latestName
        guard lstat(latest, &status) == 0 else { return }
        guard (status.st_mode & S_IFMT) == S_IFLNK else {
            throw .notAFile(path: latest, kind: FileKind(mode: status.st_mode))
        }
    }
}
