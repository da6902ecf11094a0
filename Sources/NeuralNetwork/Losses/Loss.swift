import RealModule

/// A cost C comparing a batch of outputs A with targets Y, one sample per row; every loss is
/// the **mean over the batch** of a per-sample sum over output units.
///
/// | name | C | dC/dA | fused dC/dZ |
/// |---|---|---|---|
/// | `quadratic` | (1/n) sum_s 0.5 ‖y_s - a_s‖² | (a - y)/n | — |
/// | `cross-entropy` | -(1/n) sum_s sum_i y_si ln a_si | -y/(n a) | with softmax output: (a - y)/n |
/// | `binary-cross-entropy` | -(1/n) sum_s sum_i [y ln a + (1-y) ln(1-a)] | (a - y)/(n a (1-a)) | with sigmoid output: (a - y)/n |
///
/// A loss is a value (``value(output:target:)``) and a gradient (``gradient(output:target:)``).
/// When the output activation is the loss's natural partner (softmax for cross-entropy,
/// sigmoid for binary cross-entropy) the network fuses the two: the error at the output's
/// pre-activation is a - y, which is exact, cheap and free of the 0/0 that the chain rule
/// through a saturated output would meet; the value is then computed from Z (log-sum-exp,
/// softplus) so it stays finite where a rounds to 0 or 1. Elsewhere logarithms take
/// max(a, tiny), tiny = `Float.leastNormalMagnitude`, so a confident mistake costs about 87,
/// not infinity.
public enum Loss: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// C = (1/n) sum_s 0.5 ‖y_s - a_s‖²: **half** the squared error, summed over the w outputs
    /// and averaged over the n samples. So C = (w/2) MSE, with MSE = (1/(n w)) sum (y - a)² as
    /// ``RegressionMetrics`` reports it: half the MSE for one output, not the MSE.
    case quadratic
    /// C = -(1/n) sum y ln a; meant for a softmax output and one-hot targets.
    case crossEntropy = "cross-entropy"
    /// C = -(1/n) sum [y ln a + (1 - y) ln(1 - a)]; meant for sigmoid outputs and 0/1 targets.
    case binaryCrossEntropy = "binary-cross-entropy"

    public var description: String { rawValue }

    /// Whether this loss paired with `outputActivation` has the fused output error a - y.
    public func isFused(with outputActivation: Activation) -> Bool {
        switch (self, outputActivation) {
        case (.crossEntropy, .softmax), (.binaryCrossEntropy, .sigmoid), (.quadratic, .identity): true
        default: false
        }
    }

    /// The loss of one output unit (or, for cross-entropy, its term), in `T`.
    static func term<T: Real & BinaryFloatingPoint>(_ loss: Loss, a: T, y: T) -> T {
        let tiny = T(Float.leastNormalMagnitude)
        switch loss {
        case .quadratic:
            return 0.5 * (y - a) * (y - a)
        case .crossEntropy:
            return y == 0 ? 0 : -y * T.log(max(a, tiny))
        case .binaryCrossEntropy:
            let p = y == 0 ? 0 : -y * T.log(max(a, tiny))
            let q = y == 1 ? 0 : -(1 - y) * T.log(max(1 - a, tiny))
            return p + q
        }
    }

    /// dC_s/da of one output unit for one sample (no 1/n).
    static func termDerivative<T: Real & BinaryFloatingPoint>(_ loss: Loss, a: T, y: T) -> T {
        let tiny = T(Float.leastNormalMagnitude)
        switch loss {
        case .quadratic:
            return a - y
        case .crossEntropy:
            return y == 0 ? 0 : -y / max(a, tiny)
        case .binaryCrossEntropy:
            return (a - y) / max(a * (1 - a), tiny)
        }
    }

    /// The mean loss over the batch, C(A, Y).
    ///
    /// - Precondition: `output` and `target` have the same shape.
    public func value(output: Matrix, target: Matrix) -> Float {
        precondition(output.rows == target.rows && output.columns == target.columns,
                     "Loss: output is \(output.rows)x\(output.columns), target \(target.rows)x\(target.columns)")
        guard output.rows > 0 else { return 0 }
        var sum = 0.0
        for (a, y) in zip(output.elements, target.elements) {
            sum += Double(Self.term(self, a: a, y: y))
        }
        return Float(sum / Double(output.rows))
    }

    /// dC/dA, the gradient of the mean loss with respect to the outputs (1/n included).
    public func gradient(output: Matrix, target: Matrix) -> Matrix {
        precondition(output.rows == target.rows && output.columns == target.columns,
                     "Loss: output is \(output.rows)x\(output.columns), target \(target.rows)x\(target.columns)")
        let scale = 1 / Float(max(output.rows, 1))
        let g = zip(output.elements, target.elements).map { a, y in Self.termDerivative(self, a: a, y: y) * scale }
        return Matrix(rows: output.rows, columns: output.columns, elements: g)
    }

    /// The sum over a batch of per-sample losses, computed from the pre-activation `z` where
    /// the loss is fused with `activation` (log-sum-exp for softmax, softplus for sigmoid).
    func sum(
        preactivation z: UnsafePointer<Float>, output a: UnsafePointer<Float>, target y: UnsafePointer<Float>,
        rows: Int, columns: Int, activation: Activation
    ) -> Double {
        var total = 0.0
        switch (self, activation) {
        case (.crossEntropy, .softmax):
            for i in 0..<rows {
                let zi = z + i * columns, yi = y + i * columns
                var m = zi[0]
                for j in 0..<columns where zi[j] > m { m = zi[j] }
                var s = 0.0
                for j in 0..<columns { s += Double.exp(Double(zi[j] - m)) }
                let logSum = Double(m) + Double.log(s)
                for j in 0..<columns where yi[j] != 0 { total -= Double(yi[j]) * (Double(zi[j]) - logSum) }
            }
        case (.binaryCrossEntropy, .sigmoid):
            // -[y ln s(z) + (1 - y) ln(1 - s(z))] = softplus(z) - y z
            for i in 0..<(rows * columns) {
                let zi = Double(z[i])
                total += Activation.softplus(zi) - Double(y[i]) * zi
            }
        default:
            for i in 0..<(rows * columns) { total += Double(Self.term(self, a: a[i], y: y[i])) }
        }
        return total
    }

    /// Writes the per-sample output error dC_s/dZ (no 1/n; the weight-gradient GEMM divides)
    /// into `delta`: a - y when fused, else dC_s/dA pushed through g' (the softmax Jacobian
    /// for a softmax output).
    func outputError(
        preactivation z: UnsafePointer<Float>, output a: UnsafePointer<Float>, target y: UnsafePointer<Float>,
        rows: Int, columns: Int, activation: Activation, into delta: UnsafeMutablePointer<Float>
    ) {
        let count = rows * columns
        if isFused(with: activation) {
            for i in 0..<count { delta[i] = a[i] - y[i] }
            return
        }
        for i in 0..<count { delta[i] = Self.termDerivative(self, a: a[i], y: y[i]) }
        activation.backpropagate(delta, preactivation: z, output: a, rows: rows, columns: columns)
    }
}
