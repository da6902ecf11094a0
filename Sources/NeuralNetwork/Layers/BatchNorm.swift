/// Batch normalisation (Ioffe & Szegedy 2015) over the features of a batch, with PyTorch's
/// `nn.BatchNorm1d` conventions: eps = 1e-5, momentum = 0.1, affine, running statistics tracked.
///
/// Training, per feature j over the n samples of the batch:
///
///     mu_j = (1/n) sum_s x_sj          var_j = (1/n) sum_s (x_sj - mu_j)^2   (biased)
///     xhat_sj = (x_sj - mu_j) / sqrt(var_j + eps)        y_sj = gamma_j xhat_sj + beta_j
///     running_mean <- (1 - momentum) running_mean + momentum mu
///     running_var  <- (1 - momentum) running_var + momentum var n/(n - 1)   (unbiased)
///     num_batches_tracked <- num_batches_tracked + 1
///
/// Inference uses the running statistics: y = gamma (x - running_mean) / sqrt(running_var + eps) + beta.
///
/// Backward (training), from the per-sample errors G_s = dC_s/dy_s with C the mean of the C_s:
///
///     dC/dgamma = (1/n) sum_s G_s xhat_s        dC/dbeta = (1/n) sum_s G_s
///     n dC/dx_s = gamma / sqrt(var + eps) (G_s - mean_s G - xhat_s mean_s(G xhat))
///
/// Tensors, as PyTorch names them: `weight` (gamma, starts at 1), `bias` (beta, 0), both trained
/// without weight decay; `running_mean` (0), `running_var` (1) and `num_batches_tracked` (a
/// scalar, held as a float) not trained. Scratch: xhat (`n x size`), then 1/sqrt(var + eps)
/// and the mean per feature.
public struct BatchNorm: Layer, Equatable {
    /// Features, inputs and outputs alike.
    public let inputSize: Int
    public let values: [[Float]]
    /// Added to the variance.
    public static let epsilon: Float = 1e-5
    /// The weight of a batch's statistics in the running ones.
    public static let momentum: Float = 0.1

    /// A layer with gamma = 1, beta = 0, running mean 0, running variance 1.
    ///
    /// - Precondition: `size >= 1`.
    public init(size: Int) {
        precondition(size >= 1, "BatchNorm: size must be at least 1, got \(size)")
        inputSize = size
        values = [[Float](repeating: 1, count: size), [Float](repeating: 0, count: size),
                  [Float](repeating: 0, count: size), [Float](repeating: 1, count: size), [0]]
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
    public var specification: Architecture.LayerSpec { .init(kind: .batchNorm, inputSize: inputSize, outputSize: inputSize) }
    public var tensors: [TensorDeclaration] {
        [TensorDeclaration(name: "weight", shape: [inputSize]),
         TensorDeclaration(name: "bias", shape: [inputSize]),
         TensorDeclaration(name: "running_mean", shape: [inputSize], isTrainable: false),
         TensorDeclaration(name: "running_var", shape: [inputSize], isTrainable: false),
         TensorDeclaration(name: "num_batches_tracked", shape: [], isTrainable: false)]
    }
    public func replacingValues(_ values: [[Float]]) -> BatchNorm { BatchNorm(size: inputSize, values: values) }
    /// xhat, then room for two floats per feature (n x 3 size >= n size + 2 size).
    public var scratchWidth: Int { 3 * inputSize }

    /// Offsets of the tensors after gamma in the arena.
    private var tensorStride: Int { ParameterArena.aligned(inputSize) }

    public func forward(_ pass: LayerPass) {
        let n = pass.rows, c = inputSize, x = pass.input, y = pass.output, p = pass.parameters
        let gamma = p, beta = p + tensorStride, runningMean = p + 2 * tensorStride, runningVariance = p + 3 * tensorStride
        guard pass.phase == .training else {
            // y = x scale + shift per feature, the factors computed once into the scratch.
            let scale = pass.scratch, shift = pass.scratch + c
            for j in 0..<c {
                scale[j] = gamma[j] / (runningVariance[j] + Self.epsilon).squareRoot()
                shift[j] = beta[j] - runningMean[j] * scale[j]
            }
            for s in 0..<n {
                for j in 0..<c { y[s * c + j] = x[s * c + j] * scale[j] + shift[j] }
            }
            return
        }
        let xhat = pass.scratch, inverse = pass.scratch + n * c, mean = pass.scratch + n * c + c
        mean.update(repeating: 0, count: c)
        for s in 0..<n { for j in 0..<c { mean[j] += x[s * c + j] } }
        for j in 0..<c { mean[j] /= Float(n) }
        inverse.update(repeating: 0, count: c)
        for s in 0..<n {
            for j in 0..<c {
                let d = x[s * c + j] - mean[j]
                inverse[j] += d * d
            }
        }
        let unbiased = n > 1 ? Float(n) / Float(n - 1) : 1
        for j in 0..<c {
            let variance = inverse[j] / Float(n)
            runningMean[j] = (1 - Self.momentum) * runningMean[j] + Self.momentum * mean[j]
            runningVariance[j] = (1 - Self.momentum) * runningVariance[j] + Self.momentum * variance * unbiased
            inverse[j] = 1 / (variance + Self.epsilon).squareRoot()
        }
        p[4 * tensorStride] += 1
        for s in 0..<n {
            for j in 0..<c {
                let h = (x[s * c + j] - mean[j]) * inverse[j]
                xhat[s * c + j] = h
                y[s * c + j] = gamma[j] * h + beta[j]
            }
        }
    }

    public func backward(_ pass: LayerPass) {
        let n = pass.rows, c = inputSize, g = pass.outputGradient, p = pass.parameters
        let xhat = pass.scratch, inverse = pass.scratch + n * c
        let dGamma = pass.gradients, dBeta = pass.gradients + tensorStride
        scaleAndShiftGradients(g, normalized: xhat, rows: n, columns: c, scale: dGamma, shift: dBeta)
        guard let dx = pass.inputGradient else { return }
        for s in 0..<n {
            for j in 0..<c {
                dx[s * c + j] = p[j] * inverse[j] * (g[s * c + j] - dBeta[j] - xhat[s * c + j] * dGamma[j])
            }
        }
    }

    public func referenceForward(_ batch: [[Double]], values: [[Double]], context: ReferenceContext) -> [[Double]] {
        let n = Double(batch.count), epsilon = Double(Self.epsilon)
        return (0..<batch.count).map { s in
            (0..<inputSize).map { j in
                let mean: Double, variance: Double
                if context.phase == .training {
                    mean = batch.reduce(0) { $0 + $1[j] } / n
                    variance = batch.reduce(0) { $0 + ($1[j] - mean) * ($1[j] - mean) } / n
                } else {
                    mean = values[2][j]
                    variance = values[3][j]
                }
                return values[0][j] * (batch[s][j] - mean) / (variance + epsilon).squareRoot() + values[1][j]
            }
        }
    }
}

extension Layer where Self == BatchNorm {
    /// A BatchNorm layer in a `[Layer]` literal.
    public static func batchNorm(_ layer: BatchNorm) -> BatchNorm { layer }
}
