/// Why bytes are not a safetensors file this reader accepts. Every case names the file; the
/// message (`description`) adds the tensor or byte offset and what was expected.
public enum SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than the 8 bytes of the header length.
    case tooShort(file: String, byteCount: Int)
    /// The header length is larger than the rest of the file.
    case headerLengthBeyondFile(file: String, headerLength: UInt64, available: Int)
    /// The header length exceeds `SafeTensors.maximumHeaderLength`.
    case headerTooLarge(file: String, headerLength: UInt64)
    /// The header is not valid UTF-8; `offset` is the file byte where decoding failed.
    case headerNotUTF8(file: String, offset: Int)
    /// The header is not well-formed JSON; `offset` is the file byte where parsing stopped.
    case malformedJSON(file: String, offset: Int, expected: String)
    /// A JSON value has the wrong type or range: `location` says where (`header`, `tensor 'x'`,
    /// `tensor 'x' shape`...), `expected` what it should be, `found` what it is.
    case unexpectedValue(file: String, location: String, expected: String, found: String)
    /// An object in the header lists `key` twice.
    case duplicateKey(file: String, location: String, key: String)
    /// A tensor entry lacks `dtype`, `shape` or `data_offsets`.
    case missingKey(file: String, tensor: String, key: String)
    /// A tensor's dtype is not one of `SafeTensors.DType` (the format's integer and 8-bit
    /// float types included: they are not read).
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// The shape's element count times the dtype size does not fit in 64 bits.
    case shapeOverflow(file: String, tensor: String, shape: [Int], dtype: String)
    /// The shape and dtype call for `expected` bytes; the offsets span `actual`.
    case byteCountMismatch(file: String, tensor: String, shape: [Int], dtype: String, expected: Int, actual: Int)
    /// `begin > end`, or `end` past the data buffer of `dataLength` bytes.
    case offsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int, dataLength: Int)
    /// Two tensors' byte ranges share bytes.
    case overlappingTensors(file: String, tensor: String, range: Range<Int>, other: String, otherRange: Range<Int>)
    /// Data-buffer bytes `range` belong to no tensor. The reference implementation requires the
    /// tensors to tile the buffer exactly (no gaps, nothing after the last), and so does this.
    case uncoveredBytes(file: String, range: Range<Int>, dataLength: Int)

    public var description: String {
        switch self {
        case .tooShort(let file, let byteCount):
            return "\(file): \(byteCount) bytes; a safetensors file starts with an 8-byte header length"
        case .headerLengthBeyondFile(let file, let length, let available):
            return "\(file): header length \(length) (bytes 0..<8) exceeds the \(available) bytes that follow it"
        case .headerTooLarge(let file, let length):
            return "\(file): header length \(length) (bytes 0..<8) exceeds the limit of \(SafeTensors.maximumHeaderLength) bytes"
        case .headerNotUTF8(let file, let offset):
            return "\(file): header is not UTF-8 at byte \(offset)"
        case .malformedJSON(let file, let offset, let expected):
            return "\(file): header JSON at byte \(offset): expected \(expected)"
        case .unexpectedValue(let file, let location, let expected, let found):
            return "\(file): \(location): expected \(expected), found \(found)"
        case .duplicateKey(let file, let location, let key):
            return "\(file): \(location): key '\(key)' appears twice"
        case .missingKey(let file, let tensor, let key):
            return "\(file): tensor '\(tensor)': missing '\(key)'"
        case .unsupportedDType(let file, let tensor, let dtype):
            let known = SafeTensors.DType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(file): tensor '\(tensor)': dtype '\(dtype)' is not supported; expected one of \(known)"
        case .shapeOverflow(let file, let tensor, let shape, let dtype):
            return "\(file): tensor '\(tensor)': shape \(shape) x \(dtype) needs more bytes than a 64-bit count holds"
        case .byteCountMismatch(let file, let tensor, let shape, let dtype, let expected, let actual):
            return "\(file): tensor '\(tensor)': shape \(shape) x \(dtype) needs \(expected) bytes, data_offsets give \(actual)"
        case .offsetsOutOfRange(let file, let tensor, let begin, let end, let dataLength):
            if begin > end {
                return "\(file): tensor '\(tensor)': data_offsets [\(begin), \(end)] begin after they end"
            }
            return "\(file): tensor '\(tensor)': data_offsets [\(begin), \(end)] reach past the \(dataLength)-byte data buffer"
        case .overlappingTensors(let file, let tensor, let range, let other, let otherRange):
            return "\(file): tensor '\(tensor)': data_offsets [\(range.lowerBound), \(range.upperBound)] overlap tensor '\(other)' [\(otherRange.lowerBound), \(otherRange.upperBound)]"
        case .uncoveredBytes(let file, let range, let dataLength):
            return "\(file): data buffer bytes \(range.lowerBound)..<\(range.upperBound) (of \(dataLength)) belong to no tensor; tensors must cover the buffer exactly"
        }
    }
}
