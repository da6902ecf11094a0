/// Inverted dropout (Srivastava et al. 2014): in training each input is kept with probability
/// 1 - p and scaled by 1/(1 - p), else zeroed; in inference the layer is the identity, so the
/// expected output is the same in both phases (PyTorch's `nn.Dropout`).
///
///     training:  m_sj = [u_sj >= p] / (1 - p),  a_sj = m_sj x_sj      inference:  a = x
///     backward:  dC/dx_sj = m_sj dC/da_sj
///
/// u_sj is the ``RandomStream`` number of (step, layer, sample, column): the masks do not depend
/// on the thread count, and a resumed run draws the same ones. The scratch keeps m.
public struct Dropout: Layer, Equatable {
    /// Inputs per sample, also the outputs.
    public let inputSize: Int
    /// The probability p of dropping an input, in [0, 1).
    public let probability: Float

    /// - Precondition: `size >= 1` and `0 <= probability < 1`.
    public init(size: Int, probability: Float) {
        precondition(size >= 1, "Dropout: size must be at least 1, got \(size)")
        precondition(probability >= 0 && probability < 1, "Dropout: probability must be in [0, 1), got \(probability)")
        inputSize = size
        self.probability = probability
    }

    /// A layer for ``LayerBuilder``, as wide as the previous layer.
    public init(_ probability: Float) {
        inputSize = 0
        self.probability = probability
    }

    public var outputSize: Int { inputSize }
    public var specification: Architecture.LayerSpec {
        .init(kind: .dropout(probability: probability), inputSize: inputSize, outputSize: inputSize)
    }
    public var tensors: [TensorDeclaration] { [] }
    public var values: [[Float]] { [] }
    public func replacingValues(_ values: [[Float]]) -> Dropout { self }
    /// The mask m.
    public var scratchWidth: Int { inputSize }

    /// The mask value of column `column` in the row keyed `key`: 0 or 1/(1 - p).
    @inline(__always)
    func mask(_ key: UInt64, column: Int, scale: Float) -> Float {
        RandomStream.uniform(key, column: column) >= probability ? scale : 0
    }

    public func forward(_ pass: LayerPass) {
        let n = pass.rows, width = inputSize, x = pass.input, a = pass.output
        guard pass.phase == .training else {
            a.update(from: x, count: n * width)
            return
        }
        let scale = 1 / (1 - probability), m = pass.scratch
        for s in 0..<n {
            let key = pass.random.rowKey(layer: pass.index, sample: s)
            for j in 0..<width {
                let value = mask(key, column: j, scale: scale)
                m[s * width + j] = value
                a[s * width + j] = value * x[s * width + j]
            }
        }
    }

    public func backward(_ pass: LayerPass) {
        guard let g = pass.inputGradient else { return }
        let count = pass.rows * inputSize, m = pass.scratch, d = pass.outputGradient
        for i in 0..<count { g[i] = m[i] * d[i] }
    }

    public func referenceForward(_ batch: [[Double]], values: [[Double]], context: ReferenceContext) -> [[Double]] {
        guard context.phase == .training else { return batch }
        let scale = 1 / (1 - Double(probability))
        return batch.enumerated().map { s, x in
            let key = context.random.rowKey(layer: context.index, sample: s)
            return x.enumerated().map { j, value in RandomStream.uniform(key, column: j) >= probability ? value * scale : 0 }
        }
    }
}

extension Layer where Self == Dropout {
    /// A Dropout layer in a `[Layer]` literal.
    public static func dropout(_ layer: Dropout) -> Dropout { layer }
}
