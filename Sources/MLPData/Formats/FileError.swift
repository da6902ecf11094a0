/// A file that could not be read or written, named by its path.
///
/// The format readers (`SafeTensors`, `IDXArray`, `CSVDataset`) work on bytes already in memory
/// and throw their own errors; this one covers getting the bytes in and out.
public enum FileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing exists at `path`.
    case notFound(path: String)
    /// `path` exists but is a folder, a FIFO, a device or another non-regular file (for a
    /// write: also a link to one, or to nothing); it was neither read nor replaced.
    case notAFile(path: String, kind: FileKind)
    /// `path` is a file this process read as an input; a write would destroy it.
    case isInput(path: String)
    /// Opening or reading failed; `reason` is the system's message (`strerror`).
    case unreadable(path: String, reason: String)
    /// Creating, writing or renaming the temporary file for an atomic save failed; the file at
    /// `path`, if any, is as it was.
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let path): "\(path): no such file"
        case .notAFile(let path, let kind): "\(path): \(kind.description), not a regular file; left as it is"
        case .isInput(let path): "\(path): is an input of this run; not overwritten (choose another output file)"
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .unwritable(let path, let reason): "\(path): cannot save: \(reason) (any existing file is unchanged)"
        }
    }
}
