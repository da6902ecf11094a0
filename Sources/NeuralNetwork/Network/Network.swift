import RealModule

/// A feedforward network: a sequence of layers whose sizes chain, and the loss it is trained on.
///
/// For a batch X with one sample per row, A^0 = X and for each layer l
///
///     Z^l = A^{l-1} (W^l)^T + 1 (b^l)^T      A^l = g^l(Z^l)   (or the Maxout maximum)
///
/// and the output is A^L. Sizes are checked when the network is built: layer l's input size
/// must equal layer l-1's output size, and softmax may only appear at the output.
///
/// A network is a value (layers and loss, no buffers and no backend) and `Sendable`: the GEMM
/// backend is an argument of every computation, and the buffers live in a ``Workspace``.
public struct Network: Sendable, Equatable {
    /// The layers, input side first.
    public private(set) var layers: [Layer]
    /// The loss the network is trained and evaluated on.
    public var loss: Loss

    /// A network of the given layers.
    ///
    /// - Throws: ``NetworkError/sizeMismatch(layer:inputSize:previousOutputSize:)`` naming both
    ///   sizes when consecutive layers do not fit, ``NetworkError/softmaxNotAtOutput(layer:)``,
    ///   ``NetworkError/noLayers``.
    public init(layers: [Layer], loss: Loss) throws(NetworkError) {
        guard !layers.isEmpty else { throw .noLayers }
        for (index, layer) in layers.enumerated() {
            if index > 0 && layer.inputSize != layers[index - 1].outputSize {
                throw .sizeMismatch(layer: index, inputSize: layer.inputSize, previousOutputSize: layers[index - 1].outputSize)
            }
            if layer.activation == .softmax && index != layers.count - 1 { throw .softmaxNotAtOutput(layer: index) }
        }
        self.layers = layers
        self.loss = loss
    }

    /// A network of Dense layers with the given sizes (`[inputs, hidden..., outputs]`), drawn
    /// from `seed`: weights from `initializer`, biases from `biasInitializer`, layer by layer.
    ///
    /// - Throws: ``NetworkError`` for fewer than two sizes or a size below 1.
    public init(
        sizes: [Int], hiddenActivation: Activation, outputActivation: Activation, loss: Loss,
        initializer: Initializer = .xavierUniform, biasInitializer: BiasInitializer = .zero, seed: UInt64
    ) throws(NetworkError) {
        guard sizes.count >= 2 else { throw .noLayers }
        for (index, size) in sizes.enumerated() where size < 1 {
            throw .invalidSize(index == 0 ? "input size" : "size of layer \(index - 1)", size)
        }
        var generator = SeededGenerator(seed: seed)
        var layers: [Layer] = []
        for l in 1..<sizes.count {
            let activation = l == sizes.count - 1 ? outputActivation : hiddenActivation
            layers.append(.dense(Dense(inputSize: sizes[l - 1], outputSize: sizes[l], activation: activation,
                                       initializer: initializer, biasInitializer: biasInitializer,
                                       generator: &generator)))
        }
        try self.init(layers: layers, loss: loss)
    }

    /// The soft (logistic) perceptron: one sigmoid unit, y = sigmoid(w . x + b), trained on
    /// binary cross-entropy: logistic regression as a one-layer network.
    public static func logisticPerceptron(inputSize: Int, initializer: Initializer = .xavierUniform, seed: UInt64) throws(NetworkError) -> Network {
        try Network(sizes: [inputSize, 1], hiddenActivation: .sigmoid, outputActivation: .sigmoid,
                    loss: .binaryCrossEntropy, initializer: initializer, seed: seed)
    }

    /// Inputs per sample.
    public var inputSize: Int { layers[0].inputSize }
    /// Outputs per sample.
    public var outputSize: Int { layers[layers.count - 1].outputSize }
    /// `[inputs, outputs of layer 0, outputs of layer 1, ...]`.
    public var sizes: [Int] { [inputSize] + layers.map(\.outputSize) }
    /// Trainable parameters in all layers.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }
    /// The output layer's activation (identity for a Maxout output).
    public var outputActivation: Activation { layers[layers.count - 1].activation ?? .identity }

    // MARK: Parameters

    /// Layer `index`'s weights (`parameterRows x inputSize`) and bias.
    public func parameters(layer index: Int) throws(NetworkError) -> (weights: Matrix, bias: [Float]) {
        guard layers.indices.contains(index) else { throw .noSuchLayer(index, count: layers.count) }
        return (layers[index].weights, layers[index].bias)
    }

    /// Replaces layer `index`'s weights and bias (shapes must match).
    ///
    /// - Throws: ``NetworkError/parameterShape(layer:tensor:expected:got:)`` naming both shapes.
    public mutating func setParameters(layer index: Int, weights: Matrix, bias: [Float]) throws(NetworkError) {
        guard layers.indices.contains(index) else { throw .noSuchLayer(index, count: layers.count) }
        do {
            layers[index] = try layers[index].replacingParameters(weights: weights, bias: bias)
        } catch {
            if case .parameterShape(_, let tensor, let expected, let got) = error {
                throw .parameterShape(layer: index, tensor: tensor, expected: expected, got: got)
            }
            throw error
        }
    }

    /// Calls `body` with layer `index`'s weights and bias as mutable buffers, in place.
    ///
    /// The layer is taken out of the array while `body` runs, so its storage is uniquely
    /// referenced and no copy-on-write copy (no allocation) happens.
    mutating func withParameters<R>(
        of index: Int, _ body: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> R
    ) -> R {
        let taken = layers[index]
        layers[index] = Self.vacant
        switch consume taken {
        case .dense(var d):
            let r = d.weights.withUnsafeMutableBufferPointer { w in d.bias.withUnsafeMutableBufferPointer { b in body(w, b) } }
            layers[index] = .dense(consume d)
            return r
        case .maxout(var m):
            let r = m.weights.withUnsafeMutableBufferPointer { w in m.bias.withUnsafeMutableBufferPointer { b in body(w, b) } }
            layers[index] = .maxout(consume m)
            return r
        }
    }

    /// A stand-in that holds no storage, so taking a layer out leaves its arrays unshared.
    private static let vacant = Layer.dense(Dense(inputSize: 1, outputSize: 1, activation: .identity))

    // MARK: Checks

    func checkBatch(inputs: Matrix, targets: Matrix? = nil) throws(NetworkError) {
        guard inputs.columns == inputSize else { throw .dataShape(what: "input", expected: inputSize, got: inputs.columns) }
        if let targets {
            guard targets.columns == outputSize else { throw .dataShape(what: "target", expected: outputSize, got: targets.columns) }
            guard targets.rows == inputs.rows else {
                throw .dataShape(what: "target rows (one per input row)", expected: inputs.rows, got: targets.rows)
            }
        }
    }
}
