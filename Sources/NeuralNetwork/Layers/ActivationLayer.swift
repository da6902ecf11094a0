/// An elementwise activation as a layer of its own, a = g(x), as PyTorch's `nn.ReLU`,
/// `nn.Tanh`, ... modules: what follows a normalisation (Dense without activation, BatchNorm,
/// then ReLU). Backward: dC/dx = dC/da (.) g'(x), the input x being the layer below's output.
///
/// Softmax is not allowed here (it couples a row; it belongs to the output Dense layer, where
/// the loss fuses with it).
public struct ActivationLayer: Layer, Equatable {
    /// Inputs per sample, also the outputs.
    public let inputSize: Int
    /// g.
    public let activation: Activation

    /// - Precondition: `size >= 1`, `activation` is not softmax.
    public init(size: Int, activation: Activation) {
        precondition(size >= 1, "ActivationLayer: size must be at least 1, got \(size)")
        precondition(activation != .softmax, "ActivationLayer: softmax belongs to the output Dense layer")
        inputSize = size
        self.activation = activation
    }

    /// A layer for ``LayerBuilder``, as wide as the previous layer.
    public init(_ activation: Activation) {
        inputSize = 0
        self.activation = activation
    }

    public var outputSize: Int { inputSize }
    public var specification: Architecture.LayerSpec {
        .init(kind: .activation(activation), inputSize: inputSize, outputSize: inputSize)
    }
    public var tensors: [TensorDeclaration] { [] }
    public var values: [[Float]] { [] }
    public func replacingValues(_ values: [[Float]]) -> ActivationLayer { self }

    public func forward(_ pass: LayerPass) {
        let count = pass.rows * inputSize, x = pass.input, a = pass.output
        if activation == .relu {
            for i in 0..<count { a[i] = x[i] > 0 ? x[i] : 0 }
        } else {
            for i in 0..<count { a[i] = activation.value(x[i]) }
        }
    }

    public func backward(_ pass: LayerPass) {
        guard let g = pass.inputGradient else { return }
        g.update(from: pass.outputGradient, count: pass.rows * inputSize)
        activation.backpropagate(g, preactivation: pass.input, output: pass.output, rows: pass.rows, columns: inputSize,
                                 threads: pass.backend.threads)
    }

    public func referenceForward(_ batch: [[Double]], values: [[Double]], context: ReferenceContext) -> [[Double]] {
        batch.map { $0.map { activation.value($0) } }
    }
}

extension Layer where Self == ActivationLayer {
    /// An activation layer in a `[Layer]` literal.
    public static func activation(_ layer: ActivationLayer) -> ActivationLayer { layer }
}
