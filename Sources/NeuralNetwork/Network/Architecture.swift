/// What a network is made of, without its parameters: each layer's kind and sizes, and the
/// loss. It is what a model file's metadata records, and what the command line's
/// `--layers 784,256,10 --activation relu --output softmax` describes.
///
/// As JSON (the `architecture` entry of a model's safetensors metadata):
///
///     {"layers":[{"kind":"dense","inputSize":784,"outputSize":256,"activation":"relu"},
///                {"kind":"maxout","inputSize":256,"outputSize":64,"pieces":3},
///                {"kind":"dense","inputSize":64,"outputSize":10,"activation":"softmax"}],
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

    // MARK: JSON

    /// The architecture as a JSON value (the layout in the type's documentation).
    public var json: JSONValue {
        .object([
            ("layers", .array(layers.map { layer in
                var members: [(String, JSONValue)] = []
                switch layer.kind {
                case .dense(let activation):
                    members = [("kind", .string("dense")), ("inputSize", .number(Double(layer.inputSize))),
                               ("outputSize", .number(Double(layer.outputSize))), ("activation", .string(activation.description))]
                case .maxout(let pieces):
                    members = [("kind", .string("maxout")), ("inputSize", .number(Double(layer.inputSize))),
                               ("outputSize", .number(Double(layer.outputSize))), ("pieces", .number(Double(pieces)))]
                case .dropout(let probability):
                    members = [("kind", .string("dropout")), ("inputSize", .number(Double(layer.inputSize))),
                               ("outputSize", .number(Double(layer.outputSize))), ("probability", .number(Double(probability.description) ?? Double(probability)))]
                case .batchNorm, .layerNorm:
                    members = [("kind", .string(layer.kindName)), ("inputSize", .number(Double(layer.inputSize))),
                               ("outputSize", .number(Double(layer.outputSize))), ("epsilon", .number(1e-5))]
                    if layer.kind == .batchNorm { members.append(("momentum", .number(0.1))) }
                case .activation(let activation):
                    members = [("kind", .string("activation")), ("inputSize", .number(Double(layer.inputSize))),
                               ("outputSize", .number(Double(layer.outputSize))), ("activation", .string(activation.description))]
                }
                return .object(members)
            })),
            ("loss", .string(loss.rawValue)),
        ])
    }

    /// Reads the JSON layout; `problem` in the error says which member is wrong.
    public init(json: JSONValue) throws(ArchitectureError) {
        guard let layerValues = json["layers"]?.arrayValue, !layerValues.isEmpty else {
            throw ArchitectureError(problem: "expected a non-empty array 'layers'")
        }
        guard let lossName = json["loss"]?.stringValue else { throw ArchitectureError(problem: "expected a string 'loss'") }
        guard let loss = Loss(rawValue: lossName) else {
            throw ArchitectureError(problem: "unknown loss '\(lossName)'; expected one of "
                                    + Loss.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var layers: [LayerSpec] = []
        for (index, value) in layerValues.enumerated() {
            guard let inputSize = value["inputSize"]?.intValue, let outputSize = value["outputSize"]?.intValue,
                  inputSize >= 1, outputSize >= 1 else {
                throw ArchitectureError(problem: "layer \(index): expected positive integers 'inputSize' and 'outputSize'")
            }
            switch value["kind"]?.stringValue {
            case "dense":
                guard let name = value["activation"]?.stringValue else {
                    throw ArchitectureError(problem: "layer \(index): expected a string 'activation'")
                }
                guard let activation = Activation(name: name) else {
                    throw ArchitectureError(problem: "layer \(index): unknown activation '\(name)'")
                }
                layers.append(LayerSpec(kind: .dense(activation), inputSize: inputSize, outputSize: outputSize))
            case "maxout":
                guard let pieces = value["pieces"]?.intValue, pieces >= 1 else {
                    throw ArchitectureError(problem: "layer \(index): expected a positive integer 'pieces'")
                }
                layers.append(LayerSpec(kind: .maxout(pieces: pieces), inputSize: inputSize, outputSize: outputSize))
            case "dropout":
                guard let probability = value["probability"]?.numberValue, probability >= 0, probability < 1 else {
                    throw ArchitectureError(problem: "layer \(index): expected a number 'probability' in [0, 1)")
                }
                layers.append(LayerSpec(kind: .dropout(probability: Float(probability)), inputSize: inputSize, outputSize: outputSize))
            case "batch-norm", "layer-norm":
                let kind: LayerSpec.Kind = value["kind"]?.stringValue == "batch-norm" ? .batchNorm : .layerNorm
                layers.append(LayerSpec(kind: kind, inputSize: inputSize, outputSize: outputSize))
            case "activation":
                guard let name = value["activation"]?.stringValue, let activation = Activation(name: name), activation != .softmax else {
                    throw ArchitectureError(problem: "layer \(index): expected an elementwise 'activation' (not softmax)")
                }
                layers.append(LayerSpec(kind: .activation(activation), inputSize: inputSize, outputSize: outputSize))
            default:
                throw ArchitectureError(problem: "layer \(index): expected 'kind' to be one of \"dense\", \"maxout\", \"dropout\", "
                                        + "\"batch-norm\", \"layer-norm\", \"activation\"")
            }
            if layers[index].kindName != "dense" && layers[index].kindName != "maxout" && inputSize != outputSize {
                throw ArchitectureError(problem: "layer \(index): a \(layers[index].kindName) layer has as many outputs as inputs")
            }
        }
        self.init(layers: layers, loss: loss)
        guard parameterCount != nil else { throw ArchitectureError(problem: "the layers' parameter count overflows a 64-bit integer") }
    }
}

/// An architecture description that cannot be read.
public struct ArchitectureError: Error, Equatable, CustomStringConvertible {
    public var problem: String
    public var description: String { "architecture: \(problem)" }
}
