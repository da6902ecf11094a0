/// Counts of (actual class, predicted class) pairs, and the per-class figures read off them:
///
///     precision_c = TP_c / (TP_c + FP_c)   (of the samples predicted c, the share that are c)
///     recall_c    = TP_c / (TP_c + FN_c)   (of the samples that are c, the share predicted c)
///     accuracy    = sum_c TP_c / total
public struct ConfusionMatrix: Sendable, Equatable {
    /// Number of classes; both indices run over `0..<classCount`.
    public let classCount: Int
    /// Row-major counts: `counts[actual * classCount + predicted]`.
    public private(set) var counts: [Int]

    /// An empty matrix for `classCount` classes.
    public init(classCount: Int) {
        precondition(classCount >= 1, "ConfusionMatrix: class count must be at least 1, got \(classCount)")
        self.classCount = classCount
        counts = Array(repeating: 0, count: classCount * classCount)
    }

    /// The matrix of paired labels.
    ///
    /// - Precondition: equal lengths and labels in `0..<classCount`.
    public init(actual: [Int32], predicted: [Int32], classCount: Int) {
        precondition(actual.count == predicted.count, "ConfusionMatrix: \(actual.count) actual labels, \(predicted.count) predicted")
        self.init(classCount: classCount)
        for (a, p) in zip(actual, predicted) { add(actual: Int(a), predicted: Int(p)) }
    }

    /// Counts one sample.
    public mutating func add(actual: Int, predicted: Int) {
        precondition((0..<classCount).contains(actual) && (0..<classCount).contains(predicted),
                     "ConfusionMatrix: class (\(actual), \(predicted)) outside 0..<\(classCount)")
        counts[actual * classCount + predicted] += 1
    }

    /// Samples of class `actual` predicted as `predicted`.
    public subscript(actual actual: Int, predicted predicted: Int) -> Int { counts[actual * classCount + predicted] }

    /// All samples counted.
    public var total: Int { counts.reduce(0, +) }

    /// The share of samples predicted right (0 for an empty matrix).
    public var accuracy: Double {
        let right = (0..<classCount).reduce(0) { $0 + self[actual: $1, predicted: $1] }
        return total == 0 ? 0 : Double(right) / Double(total)
    }

    /// Precision of class `c`; nil when nothing was predicted as `c`.
    public func precision(of c: Int) -> Double? {
        let predictedAsC = (0..<classCount).reduce(0) { $0 + self[actual: $1, predicted: c] }
        return predictedAsC == 0 ? nil : Double(self[actual: c, predicted: c]) / Double(predictedAsC)
    }

    /// Recall of class `c`; nil when no sample is of class `c`.
    public func recall(of c: Int) -> Double? {
        let actuallyC = (0..<classCount).reduce(0) { $0 + self[actual: c, predicted: $1] }
        return actuallyC == 0 ? nil : Double(self[actual: c, predicted: c]) / Double(actuallyC)
    }
}
