/// Storage handed to ``Dataset/init(count:featureCount:features:targets:)`` that does not
/// describe a data set: what is wrong, with the numbers.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A negative sample count, feature count or target width.
    case negativeShape(count: Int, featureCount: Int)
    /// `count * width` overflows `Int`.
    case sizeOverflow(count: Int, width: Int)
    /// `what` (features, labels, target values) holds `got` values where the shape needs `expected`.
    case storageMismatch(what: String, expected: Int, got: Int)
    /// A class count below 1.
    case invalidClassCount(Int)
    /// Label `index` (0-based) is `label`, outside `0..<classCount`.
    case labelOutOfRange(index: Int, label: Int, classCount: Int)

    public var description: String {
        switch self {
        case .negativeShape(let count, let width): "data set: negative shape \(count) x \(width)"
        case .sizeOverflow(let count, let width): "data set: \(count) x \(width) values overflow a 64-bit integer"
        case .storageMismatch(let what, let expected, let got): "data set: \(got) \(what) where the shape needs \(expected)"
        case .invalidClassCount(let count): "data set: class count \(count); expected at least 1"
        case .labelOutOfRange(let index, let label, let classCount): "data set: label \(index) is \(label); expected 0..<\(classCount)"
        }
    }
}
