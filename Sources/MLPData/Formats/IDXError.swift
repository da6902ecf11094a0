/// Why bytes are not an IDX file (or a folder not an MNIST-style data set) this reader
/// accepts. Every case names the file; the message adds the byte offset or item and what was
/// expected.
public enum IDXError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than the 4 bytes of the magic number.
    case tooShort(file: String, byteCount: Int)
    /// The first two bytes are not zero (and not the gzip magic either).
    case badMagic(file: String, first: UInt8, second: UInt8)
    /// The type code (byte 2) is not 0x08, unsigned byte, the only type read.
    case unsupportedType(file: String, code: UInt8)
    /// The dimension count (byte 3) is 0.
    case noDimensions(file: String)
    /// The file ends inside the big-endian dimension sizes.
    case truncatedHeader(file: String, dimensionCount: Int, byteCount: Int)
    /// Dimension `index` (0-based) is 0.
    case zeroDimension(file: String, index: Int)
    /// The product of the dimensions does not fit in `Int`.
    case sizeOverflow(file: String, dimensions: [Int])
    /// The data after the header is not exactly the product of the dimensions.
    case dataLengthMismatch(file: String, dimensions: [Int], expected: Int, actual: Int)
    /// A gzip stream claims more data than its compressed size can possibly expand to.
    case implausibleSize(file: String, dimensions: [Int], compressedBytes: Int)
    /// zlib rejected the gzip stream, or it ends before its trailer.
    case corruptGzip(file: String, reason: String)
    /// An images file needs at least 2 dimensions (count, then the sample's shape); a labels
    /// file exactly 1.
    case wrongDimensionCount(file: String, dimensions: [Int], expected: String)
    /// The images and labels files hold different numbers of items.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// Label `index` (0-based) is `label`, not below the given class count.
    case labelOutOfRange(file: String, index: Int, label: Int, classCount: Int)
    /// Neither `name` nor `name.gz` is in `folder`.
    case missingFile(folder: String, name: String)
    /// The test images have another shape than the training images.
    case sampleShapeMismatch(training: String, trainingShape: [Int], test: String, testShape: [Int])

    public var description: String {
        switch self {
        case .tooShort(let file, let count):
            return "\(file): \(count) bytes; an IDX file starts with a 4-byte magic number"
        case .badMagic(let file, let first, let second):
            return "\(file): bytes 0-1 are \(hex(first)) \(hex(second)); an IDX file starts with 0x00 0x00 (or, gzip-compressed, 0x1f 0x8b)"
        case .unsupportedType(let file, let code):
            return "\(file): byte 2: type code \(hex(code)) (\(IDXArray.typeName(code))) is not supported; expected 0x08 (unsigned byte)"
        case .noDimensions(let file):
            return "\(file): byte 3: dimension count is 0; expected at least 1"
        case .truncatedHeader(let file, let dimensionCount, let count):
            return "\(file): \(dimensionCount) dimensions need a \(4 + 4 * dimensionCount)-byte header, the file has \(count) bytes"
        case .zeroDimension(let file, let index):
            return "\(file): dimension \(index) (bytes \(4 + 4 * index)..<\(8 + 4 * index)) is 0; expected a positive size"
        case .sizeOverflow(let file, let dimensions):
            return "\(file): dimensions \(dimensions) multiply to more than \(Int.max) bytes"
        case .dataLengthMismatch(let file, let dimensions, let expected, let actual):
            return "\(file): dimensions \(dimensions) need \(expected) data bytes after the \(4 + 4 * dimensions.count)-byte header, found \(actual)"
        case .implausibleSize(let file, let dimensions, let compressed):
            return "\(file): dimensions \(dimensions) need more bytes than \(compressed) gzip-compressed bytes can hold (at most \(IDXArray.maximumInflationRatio) times as many)"
        case .corruptGzip(let file, let reason):
            return "\(file): gzip data is corrupt: \(reason)"
        case .wrongDimensionCount(let file, let dimensions, let expected):
            return "\(file): dimensions \(dimensions); expected \(expected)"
        case .countMismatch(let images, let imageCount, let labels, let labelCount):
            return "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels"
        case .labelOutOfRange(let file, let index, let label, let classCount):
            return "\(file): label \(index) (byte \(8 + index)) is \(label); expected 0..<\(classCount)"
        case .missingFile(let folder, let name):
            return "\(folder): neither \(name) nor \(name).gz is there"
        case .sampleShapeMismatch(let training, let trainingShape, let test, let testShape):
            return "\(test): images of shape \(testShape), but \(training) has \(trainingShape); a test set must match its training set"
        }
    }
}

private func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16)
    return "0x" + (digits.count == 1 ? "0" : "") + digits
}
