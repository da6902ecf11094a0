/// Layer normalisation (Ba, Kiros & Hinton 2016): each sample normalised over its features,
/// with a learned scale and shift, as PyTorch's `nn.LayerNorm(size)` (eps = 1e-5); the same in
/// training and inference.
///
///     mu_s = (1/C) sum_j x_sj      var_s = (1/C) sum_j (x_sj - mu_s)^2
///     xhat_sj = (x_sj - mu_s) / sqrt(var_s + eps)      y_sj = gamma_j xhat_sj + beta_j
///
/// Backward, from the per-sample errors G_s = dC_s/dy_s (H = gamma (.) G_s, means over j):
///
///     dC/dgamma = (1/n) sum_s G_s xhat_s      dC/dbeta = (1/n) sum_s G_s
///     dC_s/dx_s = (H - mean_j H - xhat_s mean_j(H xhat_s)) / sqrt(var_s + eps)
///
/// Tensors `weight` (gamma, starts at 1) and `bias` (beta, 0), trained without weight decay.
/// Scratch: xhat (`n x size`), then 1/sqrt(var_s + eps) per sample.
public struct LayerNorm: Layer, Equatable {
    /// Features, inputs and outputs alike.
    public let inputSize: Int
    public let values: [[Float]]
    /// Added to the variance.
    public static let epsilon: Float = 1e-5

    /// A layer with gamma = 1 and beta = 0.
    ///
    /// - Precondition: `size >= 1`.
    public init(size: Int) {
        precondition(size >= 1, "LayerNorm: size must be at least 1, got \(size)")
        inputSize = size
        values = [[Float](repeating: 1, count: size), [Float](repeating: 0, count: size)]
    }

    /// A layer for ``LayerBuilder``, as wide as the previous layer.
    public init() {
        self.init(size: 0, values: [])
    }

    private init(size: Int, values: [[Float]]) {
        inputSize = size
        self.values = values
    }

    public var outputSize: Int { inputSize }
    public var specification: Architecture.LayerSpec { .init(kind: .layerNorm, inputSize: inputSize, outputSize: inputSize) }
    public var tensors: [TensorDeclaration] {
        [TensorDeclaration(name: "weight", shape: [inputSize]), TensorDeclaration(name: "bias", shape: [inputSize])]
    }
    public func replacingValues(_ values: [[Float]]) -> LayerNorm { LayerNorm(size: inputSize, values: values) }
    /// xhat and one float per sample.
    public var scratchWidth: Int { inputSize + 1 }

    private var tensorStride: Int { ParameterArena.aligned(inputSize) }

    public func forward(_ pass: LayerPass) {
        let n = pass.rows, c = inputSize, x = pass.input, y = pass.output
        let gamma = pass.parameters, beta = pass.parameters + tensorStride
        let xhat = pass.scratch, inverse = pass.scratch + n * c
        for s in 0..<n {
            let row = x + s * c
            var mean: Float = 0
            for j in 0..<c { mean += row[j] }
            mean /= Float(c)
            var variance: Float = 0
            for j in 0..<c { variance += (row[j] - mean) * (row[j] - mean) }
            variance /= Float(c)
            let r = 1 / (variance + Self.epsilon).squareRoot()
            inverse[s] = r
            for j in 0..<c {
                let h = (row[j] - mean) * r
                xhat[s * c + j] = h
                y[s * c + j] = gamma[j] * h + beta[j]
            }
        }
    }

    public func backward(_ pass: LayerPass) {
        let n = pass.rows, c = inputSize, g = pass.outputGradient, gamma = pass.parameters
        let xhat = pass.scratch, inverse = pass.scratch + n * c
        let dGamma = pass.gradients, dBeta = pass.gradients + tensorStride
        scaleAndShiftGradients(g, normalized: xhat, rows: n, columns: c, scale: dGamma, shift: dBeta)
        guard let dx = pass.inputGradient else { return }
        for s in 0..<n {
            var meanH: Float = 0, meanHX: Float = 0
            for j in 0..<c {
                let h = gamma[j] * g[s * c + j]
                meanH += h
                meanHX += h * xhat[s * c + j]
            }
            meanH /= Float(c)
            meanHX /= Float(c)
            for j in 0..<c {
                dx[s * c + j] = (gamma[j] * g[s * c + j] - meanH - xhat[s * c + j] * meanHX) * inverse[s]
            }
        }
    }

    public func referenceForward(_ batch: [[Double]], values: [[Double]], context: ReferenceContext) -> [[Double]] {
        batch.map { x in
            let c = Double(x.count)
            let mean = x.reduce(0, +) / c
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / c
            return x.indices.map { j in values[0][j] * (x[j] - mean) / (variance + Double(Self.epsilon)).squareRoot() + values[1][j] }
        }
    }
}

extension Layer where Self == LayerNorm {
    /// A LayerNorm layer in a `[Layer]` literal.
    public static func layerNorm(_ layer: LayerNorm) -> LayerNorm { layer }
}
