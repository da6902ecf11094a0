/// Storage handed to ``Dataset/init(count:featureCount:features:targets:)`` (or matrices, a
/// split, a ``Standardizer``) that does not describe what was asked: what is wrong, with the numbers.
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
    /// Features and targets (or labels) with different numbers of rows.
    case rowMismatch(features: Int, targets: Int)
    /// A validation fraction outside [0, 1).
    case invalidFraction(Double)
    /// A stratified split of a data set without class labels.
    case stratifyNeedsLabels
    /// A ``Standardizer`` fitted to a data set with no samples.
    case noSamples
    /// A ``Standardizer`` for `expected` features given `got`-wide rows (or means and scales of different counts).
    case featureCount(expected: Int, got: Int)
    /// A ``Standardizer``'s mean or scale for `feature` (0-based) that is not finite, or a scale that is not > 0.
    case invalidStatistic(what: String, feature: Int, value: Float)

    public var description: String {
        switch self {
        case .negativeShape(let count, let width): "data set: negative shape \(count) x \(width)"
        case .sizeOverflow(let count, let width): "data set: \(count) x \(width) values overflow a 64-bit integer"
        case .storageMismatch(let what, let expected, let got): "data set: \(got) \(what) where the shape needs \(expected)"
        case .invalidClassCount(let count): "data set: class count \(count); expected at least 1"
        case .labelOutOfRange(let index, let label, let classCount): "data set: label \(index) is \(label); expected 0..<\(classCount)"
        case .rowMismatch(let features, let targets): "data set: \(features) feature rows but \(targets) target rows"
        case .invalidFraction(let fraction): "data set: validation fraction \(fraction); expected a number in [0, 1)"
        case .stratifyNeedsLabels: "data set: a stratified split needs class labels; this set has real-valued targets"
        case .noSamples: "standardizer: no samples to fit the mean and standard deviation to"
        case .featureCount(let expected, let got): "standardizer: \(got) features where it has \(expected)"
        case .invalidStatistic(let what, let feature, let value):
            "standardizer: \(what) of feature \(feature) is \(value); expected a finite number" + (what == "scale" ? " > 0" : "")
        }
    }
}
