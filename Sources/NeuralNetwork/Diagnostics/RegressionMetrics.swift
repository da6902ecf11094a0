/// How well a network's outputs fit real-valued targets, over every target value of a data set
/// (n samples, w target columns, N = n w values):
///
///     MSE = (1/N) sum (y - a)^2
///     MAE = (1/N) sum |y - a|
///     R^2 = 1 - sum (y - a)^2 / sum (y - ybar_j)^2     (ybar_j the mean of target column j)
///
/// R^2 is 1 for a perfect fit and 0 for predicting each column's mean; it is -infinity ... 1
/// (NaN or -infinity when every column's targets are constant). Sums are in `Double`. With one target
/// column these are scikit-learn's `mean_squared_error`, `mean_absolute_error` and `r2_score`;
/// with several, R^2 pools the columns' sums, as `r2_score(multioutput="variance_weighted")`.
///
/// The quadratic loss a network trains on is C = (w/2) MSE (``Loss/quadratic``): half the MSE
/// for one output. `mlp evaluate` prints all four for real-valued targets.
public struct RegressionMetrics: Sendable, Equatable {
    /// Target values compared (samples times target columns).
    public var count: Int
    /// MSE = (1/N) sum (y - a)^2.
    public var meanSquaredError: Double
    /// MAE = (1/N) sum |y - a|.
    public var meanAbsoluteError: Double
    /// R^2 = 1 - sum (y - a)^2 / sum (y - ybar_j)^2.
    public var coefficientOfDetermination: Double

    /// The metrics of `outputs` (one row per sample) against `targets` (row-major, same shape).
    ///
    /// - Precondition: `targets.count == outputs.rows * outputs.columns`.
    public init(outputs: Matrix, targets: [Float]) {
        precondition(targets.count == outputs.rows * outputs.columns, "RegressionMetrics: \(targets.count) targets for \(outputs.rows)x\(outputs.columns) outputs")
        let n = outputs.rows, w = outputs.columns
        var means = [Double](repeating: 0, count: w)
        for i in 0..<n { for j in 0..<w { means[j] += Double(targets[i * w + j]) } }
        for j in 0..<w { means[j] /= Double(max(n, 1)) }
        var squared = 0.0, absolute = 0.0, total = 0.0
        for i in 0..<n {
            for j in 0..<w {
                let y = Double(targets[i * w + j]), difference = y - Double(outputs[i, j])
                squared += difference * difference
                absolute += abs(difference)
                total += (y - means[j]) * (y - means[j])
            }
        }
        count = n * w
        let values = Double(max(count, 1))
        meanSquaredError = squared / values
        meanAbsoluteError = absolute / values
        coefficientOfDetermination = 1 - squared / total
    }
}

extension Network {
    /// ``RegressionMetrics`` of this network's outputs on `dataset` (raw features: the network
    /// applies its ``standardizer``), which must hold real-valued targets (`.values`) of the
    /// network's output width; nil for class labels.
    public func regressionMetrics(on dataset: Dataset, backend: any GEMMBackend) throws(NetworkError) -> RegressionMetrics? {
        guard case .values(let targets, let width) = dataset.targets else { return nil }
        guard width == outputSize else { throw .dataShape(what: "target", expected: outputSize, got: width) }
        return RegressionMetrics(outputs: try outputs(for: dataset, backend: backend), targets: targets)
    }

    /// Whether this is a regression network: its output activation is the identity.
    public var isRegression: Bool {
        outputActivation == .identity
    }
}
