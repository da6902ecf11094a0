/// One layer of a network being described, before its input size is known: sizes chain, so a
/// layer names only its output size (Dense, Maxout) or none (the others keep their width).
///
/// ``LayerBuilder`` takes the layer kinds' builder initialisers and makes these:
///
///     let network = try Network(inputSize: 784, loss: .crossEntropy, seed: 1) {
///         Dense(256)
///         BatchNorm()
///         ActivationLayer(.relu)
///         Dropout(0.2)
///         Dense(10, .softmax)
///     }
public struct LayerBlueprint: Sendable, Equatable {
    /// The kind and its settings.
    public var kind: Architecture.LayerSpec.Kind
    /// Outputs per sample for Dense and Maxout; nil keeps the input width.
    public var outputSize: Int?

    public init(kind: Architecture.LayerSpec.Kind, outputSize: Int? = nil) {
        self.kind = kind
        self.outputSize = outputSize
    }

    /// ``Dense`` with `size` units and `activation` (identity unless given).
    public static func dense(_ size: Int, _ activation: Activation = .identity) -> LayerBlueprint {
        LayerBlueprint(kind: .dense(activation), outputSize: size)
    }
    /// ``Maxout`` with `size` units of `pieces` pieces.
    public static func maxout(_ size: Int, pieces: Int) -> LayerBlueprint { LayerBlueprint(kind: .maxout(pieces: pieces), outputSize: size) }
    /// ``Dropout`` with drop probability `probability`.
    public static func dropout(_ probability: Float) -> LayerBlueprint { LayerBlueprint(kind: .dropout(probability: probability)) }
    /// ``BatchNorm``.
    public static var batchNorm: LayerBlueprint { LayerBlueprint(kind: .batchNorm) }
    /// ``LayerNorm``.
    public static var layerNorm: LayerBlueprint { LayerBlueprint(kind: .layerNorm) }
    /// ``ActivationLayer`` applying `activation`.
    public static func activation(_ activation: Activation) -> LayerBlueprint { LayerBlueprint(kind: .activation(activation)) }
}

/// Collects layers written one per line (with `if`, `if`/`else` and `for`), by kind and
/// settings: each layer's input size is the previous one's output size.
@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ blueprint: LayerBlueprint) -> [LayerBlueprint] { [blueprint] }
    public static func buildExpression(_ layer: some Layer) -> [LayerBlueprint] {
        let spec = layer.specification
        switch spec.kind {
        case .dense, .maxout: return [LayerBlueprint(kind: spec.kind, outputSize: spec.outputSize)]
        default: return [LayerBlueprint(kind: spec.kind)]
        }
    }
    public static func buildBlock(_ parts: [LayerBlueprint]...) -> [LayerBlueprint] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [LayerBlueprint]?) -> [LayerBlueprint] { part ?? [] }
    public static func buildEither(first: [LayerBlueprint]) -> [LayerBlueprint] { first }
    public static func buildEither(second: [LayerBlueprint]) -> [LayerBlueprint] { second }
    public static func buildArray(_ parts: [[LayerBlueprint]]) -> [LayerBlueprint] { parts.flatMap { $0 } }
}

extension Architecture {
    /// The layers `blueprints` describe, each taking the previous one's output size as input
    /// (the first `inputSize`).
    public init(inputSize: Int, loss: Loss, blueprints: [LayerBlueprint]) {
        var width = inputSize
        let layers = blueprints.map { blueprint in
            let spec = LayerSpec(kind: blueprint.kind, inputSize: width, outputSize: blueprint.outputSize ?? width)
            width = spec.outputSize
            return spec
        }
        self.init(layers: layers, loss: loss)
    }

    /// ``init(inputSize:loss:blueprints:)`` written with the builder.
    public init(inputSize: Int, loss: Loss, @LayerBuilder _ layers: () -> [LayerBlueprint]) {
        self.init(inputSize: inputSize, loss: loss, blueprints: layers())
    }

    /// How hidden layers are normalised (``init(sizes:hiddenActivation:outputActivation:loss:maxoutPieces:normalization:dropout:)``).
    public enum Normalization: String, Sendable, CaseIterable {
        /// ``BatchNorm``.
        case batch
        /// ``LayerNorm``.
        case layer
    }

    /// Layers of the given sizes (`[inputs, hidden..., outputs]`): each hidden layer Dense with
    /// `hiddenActivation` (Maxout with `maxoutPieces` when given); with `normalization`, the
    /// hidden Dense layer has no activation and is followed by the normalisation and then the
    /// activation as a layer (Linear, BatchNorm1d, ReLU in PyTorch's terms); with `dropout`
    /// above 0, a Dropout layer after each hidden block. The output layer is Dense with
    /// `outputActivation`.
    public init(sizes: [Int], hiddenActivation: Activation, outputActivation: Activation, loss: Loss, maxoutPieces: Int? = nil,
                normalization: Normalization?, dropout: Float = 0) {
        var blueprints: [LayerBlueprint] = []
        for l in 1..<max(sizes.count, 1) {
            if l == sizes.count - 1 {
                blueprints.append(.dense(sizes[l], outputActivation))
                continue
            }
            if let pieces = maxoutPieces {
                blueprints.append(.maxout(sizes[l], pieces: pieces))
            } else {
                blueprints.append(.dense(sizes[l], normalization == nil ? hiddenActivation : .identity))
            }
            switch normalization {
            case .batch: blueprints.append(.batchNorm)
            case .layer: blueprints.append(.layerNorm)
            case nil: break
            }
            if normalization != nil && maxoutPieces == nil { blueprints.append(.activation(hiddenActivation)) }
            if dropout > 0 { blueprints.append(.dropout(dropout)) }
        }
        self.init(inputSize: sizes.first ?? 0, loss: loss, blueprints: blueprints)
    }
}

extension Network {
    /// A network from the builder, values drawn from `seed` layer by layer (see
    /// ``Architecture/makeNetwork(initializer:biasInitializer:seed:)``).
    ///
    /// - Throws: ``NetworkError`` when a size is below 1 or a setting is out of range.
    public init(inputSize: Int, loss: Loss, initializer: Initializer = .xavierUniform, seed: UInt64,
                @LayerBuilder _ layers: () -> [LayerBlueprint]) throws(NetworkError) {
        self = try Architecture(inputSize: inputSize, loss: loss, blueprints: layers()).makeNetwork(initializer: initializer, seed: seed)
    }
}
