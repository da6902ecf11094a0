/// An ``Architecture`` as the JSON of a model file's `architecture` metadata (the layout in the
/// type's documentation), read with validation: a file that is JSON but not an architecture
/// throws an ``ArchitectureError`` naming the layer and the member that is wrong.
extension Architecture: Codable {
    private enum CodingKeys: String, CodingKey {
        case layers, loss
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(layers, forKey: .layers)
        try container.encode(loss.rawValue, forKey: .loss)
    }

    /// - Throws: ``ArchitectureError`` for a missing or wrong member; the problem of a layer's
    ///   member starts with `layer i:`.
    public init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: CodingKeys.self),
              var list = try? container.nestedUnkeyedContainer(forKey: .layers), !list.isAtEnd else {
            throw ArchitectureError(problem: "expected a non-empty array 'layers'")
        }
        guard let lossName = try? container.decode(String.self, forKey: .loss) else {
            throw ArchitectureError(problem: "expected a string 'loss'")
        }
        guard let loss = Loss(rawValue: lossName) else {
            throw ArchitectureError(problem: "unknown loss '\(lossName)'; expected one of "
                                    + Loss.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var layers: [LayerSpec] = []
        while !list.isAtEnd {
            let index = list.currentIndex
            do {
                layers.append(try list.decode(LayerSpec.self))
            } catch let error as ArchitectureError {
                throw ArchitectureError(problem: "layer \(index): \(error.problem)")
            } catch {
                throw ArchitectureError(problem: "layer \(index): expected an object")
            }
        }
        self.init(layers: layers, loss: loss)
        guard parameterCount != nil else { throw ArchitectureError(problem: "the layers' parameter count overflows a 64-bit integer") }
    }
}

/// One layer as an object of the `layers` array: `kind`, `inputSize`, `outputSize` and the
/// kind's settings (`activation`, `pieces`, `probability`; `epsilon` and `momentum`, fixed
/// here, are written for readers such as PyTorch's `BatchNorm1d`).
extension Architecture.LayerSpec: Codable {
    private enum CodingKeys: String, CodingKey {
        case kind, inputSize, outputSize, activation, pieces, probability, epsilon, momentum
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kindName, forKey: .kind)
        try container.encode(inputSize, forKey: .inputSize)
        try container.encode(outputSize, forKey: .outputSize)
        switch kind {
        case .dense(let activation), .activation(let activation):
            try container.encode(activation.description, forKey: .activation)
        case .maxout(let pieces):
            try container.encode(pieces, forKey: .pieces)
        case .dropout(let probability):
            // The Float as it prints (0.1), not its binary expansion (0.10000000149011612).
            try container.encode(Double(probability.description) ?? Double(probability), forKey: .probability)
        case .batchNorm:
            try container.encode(1e-5, forKey: .epsilon)
            try container.encode(0.1, forKey: .momentum)
        case .layerNorm:
            try container.encode(1e-5, forKey: .epsilon)
        }
    }

    /// - Throws: ``ArchitectureError`` naming the member that is missing or wrong (without the
    ///   layer's index, which ``Architecture`` adds).
    public init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: CodingKeys.self) else {
            throw ArchitectureError(problem: "expected an object")
        }
        guard let inputSize = try? container.decode(Int.self, forKey: .inputSize),
              let outputSize = try? container.decode(Int.self, forKey: .outputSize),
              inputSize >= 1, outputSize >= 1 else {
            throw ArchitectureError(problem: "expected positive integers 'inputSize' and 'outputSize'")
        }
        let kind: Kind
        switch try? container.decode(String.self, forKey: .kind) {
        case "dense":
            guard let name = try? container.decode(String.self, forKey: .activation) else {
                throw ArchitectureError(problem: "expected a string 'activation'")
            }
            guard let activation = Activation(name: name) else {
                throw ArchitectureError(problem: "unknown activation '\(name)'")
            }
            kind = .dense(activation)
        case "maxout":
            guard let pieces = try? container.decode(Int.self, forKey: .pieces), pieces >= 1 else {
                throw ArchitectureError(problem: "expected a positive integer 'pieces'")
            }
            kind = .maxout(pieces: pieces)
        case "dropout":
            guard let probability = try? container.decode(Double.self, forKey: .probability), probability >= 0, probability < 1 else {
                throw ArchitectureError(problem: "expected a number 'probability' in [0, 1)")
            }
            kind = .dropout(probability: Float(probability))
        case "batch-norm":
            kind = .batchNorm
        case "layer-norm":
            kind = .layerNorm
        case "activation":
            guard let name = try? container.decode(String.self, forKey: .activation),
                  let activation = Activation(name: name), activation != .softmax else {
                throw ArchitectureError(problem: "expected an elementwise 'activation' (not softmax)")
            }
            kind = .activation(activation)
        default:
            throw ArchitectureError(problem: "expected 'kind' to be one of \"dense\", \"maxout\", \"dropout\", "
                                    + "\"batch-norm\", \"layer-norm\", \"activation\"")
        }
        self.init(kind: kind, inputSize: inputSize, outputSize: outputSize)
        if kindName != "dense" && kindName != "maxout" && inputSize != outputSize {
            throw ArchitectureError(problem: "a \(kindName) layer has as many outputs as inputs")
        }
    }
}
