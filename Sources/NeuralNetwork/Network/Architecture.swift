/// What a network is made of, without its parameters: each layer's kind and sizes, and the
/// loss. It is what a model file's metadata records, and what the command line's
/// `--layers 784,256,10 --activation relu --output softmax` describes.
///
/// As JSON (the `architecture` entry of a model's safetensors metadata; `Codable`, see
/// `Architecture+Codable.swift`):
///
///     {"layers":[{"activation":"relu","inputSize":784,"kind":"dense","outputSize":256},
///                {"inputSize":256,"kind":"maxout","outputSize":64,"pieces":3},
///                {"activation":"softmax","inputSize":64,"kind":"dense","outputSize":10}],
///      "loss":"cross-entropy"}
public struct Architecture: Sendable, Equatable, CustomStringConvertible {
    /// One layer: its kind with the kind's settings, and its sizes.
    public struct LayerSpec: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            /// ``Dense`` with its activation.
            case dense(Activation)
            /// ``Maxout`` with its piece count.
            case maxout(pieces: Int)
            /// ``Dropout`` with its drop probability.
            case dropout(probability: Float)
            /// ``BatchNorm``.
            case batchNorm
            /// ``LayerNorm``.
            case layerNorm
            /// ``ActivationLayer`` with its activation.
            case activation(Activation)
        }
        public var kind: Kind
        public var inputSize: Int
        public var outputSize: Int

        public init(kind: Kind, inputSize: Int, outputSize: Int) {
            self.kind = kind
            self.inputSize = inputSize
            self.outputSize = outputSize
        }

        /// The layer this describes: values drawn from `generator` when given, zero otherwise.
        ///
        /// - Throws: ``NetworkError/invalidSize(_:_:)`` naming layer `index` for a size below 1.
        public func makeLayer(index: Int, initializer: Initializer = .xavierUniform, biasInitializer: BiasInitializer = .zero,
                              generator: UnsafeMutablePointer<SeededGenerator>? = nil) throws(NetworkError) -> any Layer {
            guard inputSize >= 1 else { throw .invalidSize("input size of layer \(index)", inputSize) }
            guard outputSize >= 1 else { throw .invalidSize("size of layer \(index)", outputSize) }
            switch kind {
            case .dense(let activation):
                guard let generator else { return Dense(inputSize: inputSize, outputSize: outputSize, activation: activation) }
                return Dense(inputSize: inputSize, outputSize: outputSize, activation: activation,
                             initializer: initializer, biasInitializer: biasInitializer, generator: &generator.pointee)
            case .maxout(let pieces):
                guard pieces >= 1 else { throw .invalidSize("pieces of layer \(index)", pieces) }
                guard let generator else { return Maxout(inputSize: inputSize, outputSize: outputSize, pieces: pieces) }
                return Maxout(inputSize: inputSize, outputSize: outputSize, pieces: pieces,
                              initializer: initializer, biasInitializer: biasInitializer, generator: &generator.pointee)
            case .dropout(let probability):
                guard probability >= 0 && probability < 1 else {
                    throw .invalidSize("dropout probability of layer \(index) (in [0, 1)), as 1/1000s,", Int((probability * 1000).rounded()))
                }
                return Dropout(size: inputSize, probability: probability)
            case .batchNorm:
                return BatchNorm(size: inputSize)
            case .layerNorm:
                return LayerNorm(size: inputSize)
            case .activation(let activation):
                guard activation != .softmax else { throw .softmaxNotAtOutput(layer: index) }
                return ActivationLayer(size: inputSize, activation: activation)
            }
        }

        /// The activation of a Dense layer; nil for other kinds.
        public var activation: Activation? {
            if case .dense(let activation) = kind { return activation }
            return nil
        }

        /// The kind's name in model files (`dense`, `maxout`, ...).
        public var kindName: String {
            switch kind {
            case .dense: "dense"
            case .maxout: "maxout"
            case .dropout: "dropout"
            case .batchNorm: "batch-norm"
            case .layerNorm: "layer-norm"
            case .activation: "activation"
            }
        }

        /// For example `256(relu)`.
        public var description: String {
            switch kind {
            case .dense(let activation): "\(outputSize)(\(activation))"
            case .maxout(let pieces): "\(outputSize)(maxout:\(pieces))"
            case .dropout(let probability): "dropout(\(probability))"
            case .batchNorm: "batch-norm"
            case .layerNorm: "layer-norm"
            case .activation(let activation): "\(activation)"
            }
        }

        /// Rows of the weight matrix: `outputSize`, times the pieces for Maxout.
        public var parameterRows: Int {
            if case .maxout(let pieces) = kind { return outputSize * pieces }
            return outputSize
        }
    }

    /// The layers, input side first.
    public var layers: [LayerSpec]
    /// The loss the network is trained on.
    public var loss: Loss

    public init(layers: [LayerSpec], loss: Loss) {
        self.layers = layers
        self.loss = loss
    }

    /// The architecture of a built network.
    public init(of network: Network) {
        layers = network.kinds.map(\.specification)
        loss = network.loss
    }

    /// Layers of the given sizes (`[inputs, hidden..., outputs]`): hidden layers Dense with
    /// `hiddenActivation`, or Maxout with `maxoutPieces` pieces when that is given; the output
    /// layer Dense with `outputActivation`.
    public init(sizes: [Int], hiddenActivation: Activation, outputActivation: Activation, loss: Loss, maxoutPieces: Int? = nil) {
        layers = (1..<max(sizes.count, 1)).map { l in
            let isOutput = l == sizes.count - 1
            let kind: LayerSpec.Kind = isOutput ? .dense(outputActivation)
                : maxoutPieces.map { .maxout(pieces: $0) } ?? .dense(hiddenActivation)
            return LayerSpec(kind: kind, inputSize: sizes[l - 1], outputSize: sizes[l])
        }
        self.loss = loss
    }

    /// `[inputs, outputs of layer 0, ...]`.
    public var sizes: [Int] { layers.isEmpty ? [] : [layers[0].inputSize] + layers.map(\.outputSize) }

    /// For example `784-256(relu)-10(softmax), cross-entropy`.
    public var description: String {
        guard let first = layers.first else { return "(no layers), \(loss)" }
        let parts = layers.map(\.description)
        return "\(first.inputSize)-" + parts.joined(separator: "-") + ", \(loss)"
    }

    /// A network of this architecture with parameters drawn from `seed` (layer by layer,
    /// weights then biases).
    ///
    /// - Throws: ``NetworkError`` when sizes do not chain or are below 1.
    public func makeNetwork(initializer: Initializer = .xavierUniform, biasInitializer: BiasInitializer = .zero,
                            seed: UInt64) throws(NetworkError) -> Network {
        var generator = SeededGenerator(seed: seed)
        var built: [any Layer] = []
        for (index, spec) in layers.enumerated() {
            built.append(try spec.makeLayer(index: index, initializer: initializer, biasInitializer: biasInitializer,
                                            generator: &generator))
        }
        return try Network(layers: built, loss: loss)
    }
}

/// An architecture description that cannot be read.
public struct ArchitectureError: Error, Equatable, CustomStringConvertible {
    /// What is wrong, naming the layer and member.
    public var problem: String
    public init(problem: String) { self.problem = problem }
    public var description: String { "architecture: \(problem)" }
}
