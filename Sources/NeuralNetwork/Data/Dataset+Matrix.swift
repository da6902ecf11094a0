import LinearAlgebra

/// Data sets to and from matrices, one sample per row, so an app never handles the storage
/// or raw pointers: `Dataset(features: x, labels: y)` to train, `dataset.featureMatrix` to
/// predict, `Matrix(oneHot: labels, classCount: k)` for targets.
extension Dataset {
    /// A data set of class labels: row i of `features` is sample i, `labels[i]` its class, one
    /// of `classCount` classes (nil: the largest label plus 1).
    ///
    /// - Throws: `DatasetError/rowMismatch(features:targets:)` when there are not as many labels
    ///   as rows, `DatasetError/labelOutOfRange(index:label:classCount:)` naming the first bad
    ///   label, `DatasetError/invalidClassCount(_:)` for a class count below 1 (no labels and
    ///   no class count given included).
    public init(features: Matrix, labels: [Int32], classCount: Int? = nil) throws(DatasetError) {
        guard labels.count == features.rows else { throw .rowMismatch(features: features.rows, targets: labels.count) }
        let classes = classCount ?? labels.max().map { Int($0) + 1 } ?? 0
        try self.init(count: features.rows, featureCount: features.columns, features: .floats(features.elements),
                      targets: .classes(labels, classCount: classes))
    }

    /// A data set of real-valued targets (regression): row i of `features` and of `targets` is
    /// sample i. A `targets` matrix with no columns makes a set for prediction only.
    ///
    /// - Throws: `DatasetError/rowMismatch(features:targets:)` when the row counts differ.
    public init(features: Matrix, targets: Matrix) throws(DatasetError) {
        guard targets.rows == features.rows else { throw .rowMismatch(features: features.rows, targets: targets.rows) }
        try self.init(count: features.rows, featureCount: features.columns, features: .floats(features.elements),
                      targets: .values(targets.elements, width: targets.columns))
    }

    /// The features, `count x featureCount`, one sample per row (bytes times their scale).
    public var featureMatrix: Matrix {
        var matrix = Matrix(rows: count, columns: featureCount)
        matrix.withUnsafeMutableBufferPointer { m in
            if let base = m.baseAddress { copyFeatures(0..<count, into: base) }
        }
        return matrix
    }

    /// The targets, `count x targetWidth`, one sample per row: one-hot rows for class labels
    /// (as `Matrix(oneHot:classCount:)` makes them), the values for regression.
    public var targetMatrix: Matrix {
        var matrix = Matrix(rows: count, columns: targetWidth)
        matrix.withUnsafeMutableBufferPointer { m in
            if let base = m.baseAddress { copyTargets(0..<count, into: base) }
        }
        return matrix
    }
}

extension Matrix {
    /// One row per label, `classCount` wide: 1 in the label's column, 0 elsewhere.
    ///
    ///     Matrix(oneHot: [2, 0], classCount: 3)  ==  [[0, 0, 1], [1, 0, 0]]
    ///
    /// - Throws: `DatasetError/invalidClassCount(_:)` for a class count below 1,
    ///   `DatasetError/labelOutOfRange(index:label:classCount:)` naming the first label outside
    ///   `0..<classCount`.
    public init(oneHot labels: [Int32], classCount: Int) throws(DatasetError) {
        guard classCount >= 1 else { throw .invalidClassCount(classCount) }
        guard let total = CheckedSize.product(labels.count, classCount) else {
            throw .sizeOverflow(count: labels.count, width: classCount)
        }
        var elements = [Float](repeating: 0, count: total)
        for (row, label) in labels.enumerated() {
            guard label >= 0 && Int(label) < classCount else {
                throw .labelOutOfRange(index: row, label: Int(label), classCount: classCount)
            }
            elements[row * classCount + Int(label)] = 1
        }
        self.init(rows: labels.count, columns: classCount, elements: elements)
    }
}
