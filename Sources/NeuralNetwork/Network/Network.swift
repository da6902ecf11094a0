/// A feedforward network: a sequence of layers whose sizes chain, their tensors in one
/// ``ParameterArena``, and the loss it is trained on.
///
/// For a batch X with one sample per row, A^0 = X and A^l = layer_l(A^{l-1}); the output is
/// A^L (for Dense, Z^l = A^{l-1} (W^l)^T + 1 (b^l)^T and A^l = g^l(Z^l)). Sizes are checked
/// when the network is built: layer l's input size must equal layer l-1's output size, and
/// softmax may only appear at the output.
///
/// A network is a value (layer kinds, arena and loss; no buffers and no backend) and
/// `Sendable`: the GEMM backend is an argument of every computation, and the buffers live in a
/// ``Workspace``.
public struct Network: Sendable, Equatable {
    /// The layer kinds and settings, input side first, without values (those are in ``arena``).
    public let kinds: [any Layer]
    /// Every tensor of every layer.
    public internal(set) var arena: ParameterArena
    /// The loss the network is trained and evaluated on.
    public var loss: Loss
    /// When set, every input row is standardized, (x - mean) / scale, before layer 0: in
    /// training, inference and gradient checks alike, so callers always pass raw features. It
    /// is saved in the model file. nil (the default): inputs go in as they are.
    public internal(set) var standardizer: Standardizer?

    /// A network of the given layers, their values moved into the arena.
    ///
    /// - Throws: ``NetworkError/sizeMismatch(layer:inputSize:previousOutputSize:)`` naming both
    ///   sizes when consecutive layers do not fit, ``NetworkError/softmaxNotAtOutput(layer:)``,
    ///   ``NetworkError/noLayers``, ``NetworkError/parameterShape(layer:tensor:expected:got:)``
    ///   when a layer's values do not fit its tensors.
    public init(layers: [any Layer], loss: Loss) throws(NetworkError) {
        guard !layers.isEmpty else { throw .noLayers }
        for (index, layer) in layers.enumerated() {
            guard layer.inputSize >= 1 && layer.outputSize >= 1 else {
                throw .invalidSize("size of layer \(index) (a layer for the builder has none)", min(layer.inputSize, layer.outputSize))
            }
            if index > 0 && layer.inputSize != layers[index - 1].outputSize {
                throw .sizeMismatch(layer: index, inputSize: layer.inputSize, previousOutputSize: layers[index - 1].outputSize)
            }
            if layer.specification.activation == .softmax && index != layers.count - 1 { throw .softmaxNotAtOutput(layer: index) }
        }
        var arena = ParameterArena(layers: layers)
        for (l, layer) in layers.enumerated() {
            let values = layer.values
            guard !values.isEmpty else { continue }
            for (position, entryIndex) in arena.layerEntries[l].enumerated() {
                let entry = arena.entries[entryIndex]
                guard position < values.count, values[position].count == entry.declaration.count else {
                    throw .parameterShape(layer: l, tensor: entry.declaration.name, expected: entry.declaration.shape,
                                          got: [position < values.count ? values[position].count : 0])
                }
                arena.values.replaceSubrange(entry.range, with: values[position])
            }
        }
        self.kinds = layers.map { $0.replacingValues([]) }
        self.arena = arena
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
        var layers: [any Layer] = []
        for l in 1..<sizes.count {
            let activation = l == sizes.count - 1 ? outputActivation : hiddenActivation
            layers.append(Dense(inputSize: sizes[l - 1], outputSize: sizes[l], activation: activation,
                                initializer: initializer, biasInitializer: biasInitializer, generator: &generator))
        }
        try self.init(layers: layers, loss: loss)
    }

    /// The soft (logistic) perceptron: one sigmoid unit, y = sigmoid(w . x + b), trained on
    /// binary cross-entropy: logistic regression as a one-layer network.
    public static func logisticPerceptron(inputSize: Int, initializer: Initializer = .xavierUniform, seed: UInt64) throws(NetworkError) -> Network {
        try Network(sizes: [inputSize, 1], hiddenActivation: .sigmoid, outputActivation: .sigmoid,
                    loss: .binaryCrossEntropy, initializer: initializer, seed: seed)
    }

    /// The layers with their current values (copies out of the arena).
    public var layers: [any Layer] {
        kinds.enumerated().map { l, kind in kind.replacingValues(arena.values(ofLayer: l)) }
    }

    /// Inputs per sample.
    public var inputSize: Int { kinds[0].inputSize }
    /// Outputs per sample.
    public var outputSize: Int { kinds[kinds.count - 1].outputSize }
    /// `[inputs, outputs of layer 0, outputs of layer 1, ...]`.
    public var sizes: [Int] { [inputSize] + kinds.map(\.outputSize) }
    /// Trainable parameters in all layers.
    public var parameterCount: Int { arena.trainable.reduce(0) { $0 + $1.declaration.count } }
    /// The activation the loss sees at the output (identity when the last layer has none).
    public var outputActivation: Activation { kinds[kinds.count - 1].fusedActivation ?? .identity }

    public static func == (a: Network, b: Network) -> Bool {
        a.loss == b.loss && a.arena == b.arena && a.kinds.map(\.specification) == b.kinds.map(\.specification)
            && a.standardizer == b.standardizer
    }

    /// Sets (or with nil removes) the ``standardizer`` applied to every input row.
    ///
    /// - Throws: ``NetworkError/dataShape(what:expected:got:)`` when it is not for ``inputSize`` features.
    public mutating func setStandardizer(_ standardizer: Standardizer?) throws(NetworkError) {
        if let standardizer, standardizer.featureCount != inputSize {
            throw .dataShape(what: "standardizer", expected: inputSize, got: standardizer.featureCount)
        }
        self.standardizer = standardizer
    }

    // MARK: Parameters

    /// Layer `index`'s weights (`rows x inputSize`) and bias, for a layer that has both.
    ///
    /// - Throws: ``NetworkError/noSuchLayer(_:count:)``; ``NetworkError/parameterShape(layer:tensor:expected:got:)``
    ///   for a layer without a weight and a bias.
    public func parameters(layer index: Int) throws(NetworkError) -> (weights: Matrix, bias: [Float]) {
        guard kinds.indices.contains(index) else { throw .noSuchLayer(index, count: kinds.count) }
        let layer = kinds[index].replacingValues(arena.values(ofLayer: index))
        guard let weights = layer.tensor(named: "weight"), let bias = layer.tensor(named: "bias") else {
            throw .parameterShape(layer: index, tensor: "weight and bias", expected: [], got: [])
        }
        return (weights, bias.elements)
    }

    /// Replaces layer `index`'s weights and bias (shapes must match).
    ///
    /// - Throws: ``NetworkError/parameterShape(layer:tensor:expected:got:)`` naming both shapes.
    public mutating func setParameters(layer index: Int, weights: Matrix, bias: [Float]) throws(NetworkError) {
        guard kinds.indices.contains(index) else { throw .noSuchLayer(index, count: kinds.count) }
        try setTensor(layer: index, named: "weight", shape: [weights.rows, weights.columns], values: weights.elements)
        try setTensor(layer: index, named: "bias", shape: [bias.count], values: bias)
    }

    /// The values of layer `index`'s tensor `name` (nil when the layer has none of that name).
    public func tensor(layer index: Int, named name: String) -> [Float]? {
        guard kinds.indices.contains(index),
              let entry = arena.layerEntries[index].map({ arena.entries[$0] }).first(where: { $0.declaration.name == name })
        else { return nil }
        return Array(arena.values[entry.range])
    }

    /// Replaces the values of layer `index`'s tensor `name`.
    ///
    /// - Throws: ``NetworkError/parameterShape(layer:tensor:expected:got:)`` when the layer has
    ///   no such tensor or the shape differs.
    public mutating func setTensor(layer index: Int, named name: String, shape: [Int], values: [Float]) throws(NetworkError) {
        guard kinds.indices.contains(index) else { throw .noSuchLayer(index, count: kinds.count) }
        guard let entry = arena.layerEntries[index].map({ arena.entries[$0] }).first(where: { $0.declaration.name == name }) else {
            throw .parameterShape(layer: index, tensor: name, expected: [], got: shape)
        }
        guard entry.declaration.shape == shape, values.count == entry.declaration.count else {
            throw .parameterShape(layer: index, tensor: name, expected: entry.declaration.shape, got: shape)
        }
        arena.values.replaceSubrange(entry.range, with: values)
    }

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
