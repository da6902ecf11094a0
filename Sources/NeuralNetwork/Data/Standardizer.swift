import LinearAlgebra

/// Per-feature standardization, fitted on training rows only and then applied unchanged to
/// every row a network sees:
///
///     x'_j = (x_j - mean_j) / scale_j
///     mean_j  = (1/n) sum_i x_ij
///     scale_j = sqrt((1/n) sum_i (x_ij - mean_j)^2)      (the population standard deviation)
///
/// over the n fitted samples, as scikit-learn's `StandardScaler` computes them (`mean_`,
/// `scale_`; ddof = 0, not the sample standard deviation's n - 1). A constant feature (every
/// fitted value equal) has scale 1, as there, so it becomes 0 instead of a division by zero.
/// Sums are in `Double` (two passes); the statistics are stored as `Float`.
///
/// A network holds one as ``Network/standardizer``: training, ``Network/predict(_:backend:batchSize:)``,
/// ``Network/outputs(for:backend:batchSize:)``, ``Network/evaluate(_:batchSize:backend:)`` and the
/// model file (tensors `standardizer.mean` and `standardizer.scale`) then take raw features.
public struct Standardizer: Sendable, Equatable {
    /// mean_j per feature.
    public let mean: [Float]
    /// The divisor per feature: the population standard deviation, 1 for a constant feature.
    public let scale: [Float]

    /// Features per row.
    public var featureCount: Int { mean.count }

    /// A standardizer with given statistics (one read from a file, or fitted elsewhere).
    ///
    /// - Throws: `DatasetError/featureCount(expected:got:)` when the counts differ,
    ///   `DatasetError/invalidStatistic(what:feature:value:)` for a mean that is not finite or
    ///   a scale that is not a finite number > 0.
    public init(mean: [Float], scale: [Float]) throws(DatasetError) {
        guard scale.count == mean.count else { throw .featureCount(expected: mean.count, got: scale.count) }
        if let j = mean.firstIndex(where: { !$0.isFinite }) { throw .invalidStatistic(what: "mean", feature: j, value: mean[j]) }
        if let j = scale.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw .invalidStatistic(what: "scale", feature: j, value: scale[j])
        }
        self.mean = mean
        self.scale = scale
    }

    /// Fitted to every sample of `dataset`.
    ///
    /// - Throws: `DatasetError/noSamples` for an empty set;
    ///   `DatasetError/invalidStatistic(what:feature:value:)` when a feature holds values that
    ///   are not finite (or so large that the deviation overflows `Float`).
    public init(fittedTo dataset: Dataset) throws(DatasetError) {
        try self.init(fittedTo: dataset, samples: 0..<dataset.count)
    }

    /// Fitted to the samples `samples` of `dataset` only (the training rows, never the
    /// validation or test rows).
    ///
    /// - Throws: as fitting to a whole data set: `DatasetError/noSamples`, `DatasetError/invalidStatistic(what:feature:value:)`.
    public init<Samples: Collection<Int>>(fittedTo dataset: Dataset, samples: Samples) throws(DatasetError) {
        guard !samples.isEmpty else { throw .noSamples }
        let width = dataset.featureCount, n = Double(samples.count)
        var row = [Float](repeating: 0, count: max(width, 1))
        var sums = [Double](repeating: 0, count: width), squares = [Double](repeating: 0, count: width)
        var lowest = [Float](repeating: .infinity, count: width), highest = [Float](repeating: -.infinity, count: width)
        for sample in samples {
            row.withUnsafeMutableBufferPointer { dataset.copyFeatures(CollectionOfOne(sample), into: $0.baseAddress!) }
            for j in 0..<width {
                sums[j] += Double(row[j])
                lowest[j] = Swift.min(lowest[j], row[j])
                highest[j] = Swift.max(highest[j], row[j])
            }
        }
        let means = sums.map { $0 / n }
        for sample in samples {
            row.withUnsafeMutableBufferPointer { dataset.copyFeatures(CollectionOfOne(sample), into: $0.baseAddress!) }
            for j in 0..<width {
                let deviation = Double(row[j]) - means[j]
                squares[j] += deviation * deviation
            }
        }
        let deviations = (0..<width).map { j -> Float in
            let deviation = Float((squares[j] / n).squareRoot())
            return lowest[j] == highest[j] || deviation == 0 ? 1 : deviation
        }
        try self.init(mean: means.map { Float($0) }, scale: deviations)
    }

    /// Fitted to the rows of `features`.
    ///
    /// - Throws: as fitting to a whole data set: `DatasetError/noSamples`, `DatasetError/invalidStatistic(what:feature:value:)`.
    public init(fittedTo features: Matrix) throws(DatasetError) {
        try self.init(fittedTo: try Dataset(features: features, targets: Matrix(rows: features.rows, columns: 0)))
    }

    /// (x - mean) / scale of every row of `features`.
    ///
    /// - Throws: `DatasetError/featureCount(expected:got:)` when the width is not ``featureCount``.
    public func standardized(_ features: Matrix) throws(DatasetError) -> Matrix {
        guard features.columns == featureCount else { throw .featureCount(expected: featureCount, got: features.columns) }
        var result = Matrix(rows: features.rows, columns: features.columns)
        features.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { y in
                if let source = x.baseAddress, let destination = y.baseAddress {
                    standardize(source, rows: features.rows, into: destination)
                }
            }
        }
        return result
    }

    /// `dataset` with standardized features (stored as floats) and the same targets.
    ///
    /// - Throws: `DatasetError/featureCount(expected:got:)` when the width is not ``featureCount``.
    public func standardized(_ dataset: Dataset) throws(DatasetError) -> Dataset {
        let features = try standardized(dataset.featureMatrix)
        return try Dataset(count: dataset.count, featureCount: dataset.featureCount, features: .floats(features.elements),
                           targets: dataset.targets)
    }

    /// Writes (x - mean) / scale of `rows` rows of ``featureCount`` values at `source` to
    /// `destination` (which may be `source`).
    public func standardize(_ source: UnsafePointer<Float>, rows: Int, into destination: UnsafeMutablePointer<Float>) {
        let width = featureCount
        mean.withUnsafeBufferPointer { m in
            scale.withUnsafeBufferPointer { s in
                for i in 0..<rows {
                    let x = source + i * width, y = destination + i * width
                    for j in 0..<width { y[j] = (x[j] - m[j]) / s[j] }
                }
            }
        }
    }
}
