/// A multi-dimensional array of unsigned bytes in the IDX format of MNIST and Fashion-MNIST.
///
/// The format (http://yann.lecun.com/exdb/mnist/):
///
///     bytes 0-1         0x00 0x00
///     byte 2            element type: 0x08 unsigned byte, 0x09 signed byte, 0x0B 16-bit int,
///                       0x0C 32-bit int, 0x0D 32-bit float, 0x0E 64-bit float
///     byte 3            d, the number of dimensions
///     bytes 4..<4+4d    the d sizes, big-endian unsigned 32-bit, outermost first
///     then              the elements, row-major (last index fastest)
///
/// MNIST's images are `[count, 28, 28]` and its labels `[count]`, both unsigned bytes, the
/// only type read here. Files may be gzip-compressed (detected by the gzip magic 0x1f 0x8b),
/// as they are distributed.
public struct IDXArray: Sendable, Equatable {
    /// The sizes, outermost first (for images: count, rows, columns); all positive.
    public let dimensions: [Int]
    /// The elements, row-major; `dimensions`' product of them.
    public let bytes: [UInt8]

    /// Deflate cannot expand data more than 1032 times (a 258-byte match per 2 bits, at best),
    /// so a gzip stream of n bytes whose header claims more than `1032 * n` is rejected
    /// before anything is allocated.
    public static let maximumInflationRatio = 1032

    /// An array of `dimensions` holding `bytes`.
    ///
    /// - Precondition: at least one dimension, all positive, whose product is `bytes.count`.
    public init(dimensions: [Int], bytes: [UInt8]) {
        precondition(!dimensions.isEmpty && dimensions.count <= 255 && dimensions.allSatisfy { $0 > 0 && $0 <= Int(UInt32.max) },
                     "IDXArray: dimensions \(dimensions) must be 1 to 255 sizes in 1...\(UInt32.max)")
        precondition(dimensions.reduce(1, *) == bytes.count, "IDXArray: dimensions \(dimensions) for \(bytes.count) bytes")
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Parses an IDX file, raw or gzip-compressed; `fileName` is used only in error messages.
    ///
    /// Checks, in order: the magic (two zero bytes), the type code (0x08), at least one
    /// dimension, the whole header present, every dimension positive, their product
    /// representable, and the data exactly that long (neither truncated nor followed by
    /// extra bytes). For gzip input, also that the claimed size is within
    /// `maximumInflationRatio` times the compressed size, and that zlib accepts the stream
    /// (concatenated gzip members are read as one, as `gzip -d` does).
    ///
    /// Memory: raw input is taken over and its header removed in place, so the elements reuse
    /// the input's storage when the caller passes its last reference; gzip input is inflated
    /// straight into an array of exactly the claimed size.
    ///
    /// - Throws: `IDXError`.
    public init(parsing input: consuming [UInt8], fileName: String) throws(IDXError) {
        if input.count >= 2, input[0] == 0x1F, input[1] == 0x8B {
            self = try Self.inflating(input, fileName: fileName)
            return
        }
        let (dimensions, elementCount) = try Self.parseHeader(input, fileName: fileName)
        let headerLength = 4 + 4 * dimensions.count
        guard input.count - headerLength == elementCount else {
            throw .dataLengthMismatch(file: fileName, dimensions: dimensions, expected: elementCount, actual: input.count - headerLength)
        }
        var elements = input
        elements.removeFirst(headerLength)
        self.dimensions = dimensions
        self.bytes = elements
    }

    /// Reads and parses the IDX file at `path` (named by its path in error messages).
    ///
    /// - Throws: `FileError` when the file cannot be read, `IDXError` when it is not valid.
    public init(contentsOfFile path: String) throws {
        try self.init(parsing: BinaryFile.read(atPath: path), fileName: path)
    }

    /// The raw (uncompressed) IDX file holding this array.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        out.reserveCapacity(4 + 4 * dimensions.count + bytes.count)
        for size in dimensions { withUnsafeBytes(of: UInt32(size).bigEndian) { out.append(contentsOf: $0) } }
        out.append(contentsOf: bytes)
        return out
    }

    /// The dimensions and their product from the start of `header`, which may hold more bytes.
    static func parseHeader(_ header: [UInt8], fileName: String) throws(IDXError) -> (dimensions: [Int], elementCount: Int) {
        guard header.count >= 4 else { throw .tooShort(file: fileName, byteCount: header.count) }
        guard header[0] == 0, header[1] == 0 else { throw .badMagic(file: fileName, first: header[0], second: header[1]) }
        guard header[2] == 0x08 else { throw .unsupportedType(file: fileName, code: header[2]) }
        let dimensionCount = Int(header[3])
        guard dimensionCount > 0 else { throw .noDimensions(file: fileName) }
        guard header.count >= 4 + 4 * dimensionCount else {
            throw .truncatedHeader(file: fileName, dimensionCount: dimensionCount, byteCount: header.count)
        }
        var dimensions: [Int] = []
        dimensions.reserveCapacity(dimensionCount)
        for index in 0..<dimensionCount {
            let at = 4 + 4 * index
            let size = Int(header[at]) << 24 | Int(header[at + 1]) << 16 | Int(header[at + 2]) << 8 | Int(header[at + 3])
            guard size > 0 else { throw .zeroDimension(file: fileName, index: index) }
            dimensions.append(size)
        }
        var product = 1
        for size in dimensions {
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard !overflow else { throw .sizeOverflow(file: fileName, dimensions: dimensions) }
            product = next
        }
        return (dimensions, product)
    }

    /// The type code's name, for messages.
    static func typeName(_ code: UInt8) -> String {
        switch code {
        case 0x08: "unsigned byte"
        case 0x09: "signed byte"
        case 0x0B: "16-bit integer"
        case 0x0C: "32-bit integer"
        case 0x0D: "32-bit float"
        case 0x0E: "64-bit float"
        default: "unknown"
        }
    }
}
