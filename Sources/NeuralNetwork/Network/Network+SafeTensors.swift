/// Networks as safetensors model files.
///
/// Layout: for layer i, `layers.{i}.weight` of shape `[rows, inputSize]` (W as in z = W a + b
/// and PyTorch's `Linear.weight`; for Maxout `rows = outputSize * pieces`, row `u * pieces + j`
/// being piece j of unit u) and `layers.{i}.bias` of shape `[rows]`, all F32. The metadata holds
/// `format` = `swiftmlp` and `architecture` = the ``Architecture`` as a JSON string, so a file
/// is self-describing.
///
/// Reading also takes files written elsewhere: any F16/BF16/F32/F64 dtype, and layer indices
/// that are not consecutive (PyTorch's `nn.Sequential` names its Linear layers 0, 2, 4 when
/// activations sit between them): the `layers.{i}` groups are taken in increasing i. A file
/// without our metadata needs the architecture from the caller.
extension Network {
    /// The metadata key holding the architecture JSON.
    public static let architectureMetadataKey = "architecture"

    /// The network as named tensors with its architecture in the metadata.
    public var safeTensors: SafeTensors {
        var tensors: [String: SafeTensors.Tensor] = [:]
        for (index, layer) in layers.enumerated() {
            tensors["layers.\(index).weight"] = SafeTensors.Tensor(shape: [layer.parameterRows, layer.inputSize],
                                                                   values: layer.weights.elements)
            tensors["layers.\(index).bias"] = SafeTensors.Tensor(shape: [layer.parameterRows], values: layer.bias)
        }
        let metadata = ["format": "swiftmlp", Self.architectureMetadataKey: Architecture(of: self).json.serialized]
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// Saves the model atomically (a temporary file in the same folder, then a rename): an
    /// existing file is replaced whole or not at all.
    public func save(toFile path: String) throws(FileError) {
        try safeTensors.save(toFile: path)
    }

    /// The network stored in `file`.
    ///
    /// - Parameters:
    ///   - fileName: the file's name, for messages.
    ///   - architecture: what the layers are; nil takes it from the file's metadata. When both
    ///     exist, the given one wins and the tensors must fit it.
    /// - Throws: ``ModelFileError`` naming the file and the tensor or metadata that is wrong.
    public init(safeTensors file: SafeTensors, fileName: String, architecture given: Architecture? = nil) throws(ModelFileError) {
        let architecture: Architecture
        if let given {
            architecture = given
        } else {
            guard let text = file.metadata[Self.architectureMetadataKey] else { throw .noArchitecture(file: fileName) }
            do {
                architecture = try Architecture(json: try JSONValue(parsing: text))
            } catch let error as JSONError {
                throw .badArchitecture(file: fileName, problem: error.description)
            } catch let error as ArchitectureError {
                throw .badArchitecture(file: fileName, problem: error.problem)
            } catch {
                throw .badArchitecture(file: fileName, problem: "\(error)")
            }
        }

        // Group the tensor names by layer index; anything else is not ours to ignore.
        var indices = Set<Int>()
        for name in file.tensors.keys {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "layers", let index = Int(parts[1]), index >= 0,
                  parts[2] == "weight" || parts[2] == "bias" else {
                throw .unexpectedTensor(file: fileName, name: name)
            }
            indices.insert(index)
        }
        let ordered = indices.sorted()
        guard ordered.count == architecture.layers.count else {
            throw .layerCount(file: fileName, expected: architecture.layers.count, found: ordered.count)
        }

        var layers: [Layer] = []
        for (position, (index, spec)) in zip(ordered, architecture.layers).enumerated() {
            let weightName = "layers.\(index).weight", biasName = "layers.\(index).bias"
            guard let weight = file.tensors[weightName] else { throw .missingTensor(file: fileName, name: weightName) }
            guard let bias = file.tensors[biasName] else { throw .missingTensor(file: fileName, name: biasName) }
            let rows = spec.parameterRows
            guard weight.shape == [rows, spec.inputSize] else {
                throw .tensorShape(file: fileName, name: weightName, expected: [rows, spec.inputSize], got: weight.shape)
            }
            guard bias.shape == [rows] else {
                throw .tensorShape(file: fileName, name: biasName, expected: [rows], got: bias.shape)
            }
            if let bad = weight.values.firstIndex(where: { !$0.isFinite }) ?? bias.values.firstIndex(where: { !$0.isFinite }) {
                let name = weight.values.contains(where: { !$0.isFinite }) ? weightName : biasName
                throw .nonFinite(file: fileName, name: name, index: bad)
            }
            let weights = Matrix(rows: rows, columns: spec.inputSize, elements: weight.values)
            do {
                switch spec.kind {
                case .dense(let activation):
                    layers.append(.dense(try Dense(weights: weights, bias: bias.values, activation: activation)))
                case .maxout(let pieces):
                    layers.append(.maxout(try Maxout(weights: weights, bias: bias.values, pieces: pieces)))
                }
            } catch {
                throw .network(file: fileName, error: error, layer: position)
            }
        }
        do {
            try self.init(layers: layers, loss: architecture.loss)
        } catch {
            throw .network(file: fileName, error: error, layer: nil)
        }
    }

    /// The network in the safetensors file at `path` (see ``init(safeTensors:fileName:architecture:)``).
    ///
    /// - Throws: ``FileError``, ``SafeTensorsError`` or ``ModelFileError``, each naming the file.
    public init(contentsOfFile path: String, architecture: Architecture? = nil) throws {
        let file = try SafeTensors(contentsOfFile: path)
        try self.init(safeTensors: file, fileName: path, architecture: architecture)
    }
}

/// A safetensors file that is well formed but is not a model of the expected shape.
public enum ModelFileError: Error, Equatable, CustomStringConvertible {
    /// No `architecture` metadata and none given.
    case noArchitecture(file: String)
    /// The `architecture` metadata does not parse or describe a network.
    case badArchitecture(file: String, problem: String)
    /// A tensor that is not `layers.{i}.weight` or `layers.{i}.bias`.
    case unexpectedTensor(file: String, name: String)
    /// The file has a different number of layers than the architecture.
    case layerCount(file: String, expected: Int, found: Int)
    /// A layer's weight or bias is missing.
    case missingTensor(file: String, name: String)
    /// A tensor's shape does not fit the architecture.
    case tensorShape(file: String, name: String, expected: [Int], got: [Int])
    /// A parameter is NaN or infinite.
    case nonFinite(file: String, name: String, index: Int)
    /// The layers do not form a network.
    case network(file: String, error: NetworkError, layer: Int?)

    public var description: String {
        switch self {
        case .noArchitecture(let file):
            "\(file): no architecture in the file's metadata; give it with --layers, --activation and --output"
        case .badArchitecture(let file, let problem):
            "\(file): metadata 'architecture': \(problem)"
        case .unexpectedTensor(let file, let name):
            "\(file): tensor '\(name)' is not a layer parameter (expected names layers.{i}.weight and layers.{i}.bias)"
        case .layerCount(let file, let expected, let found):
            "\(file): the architecture has \(expected) layers, the file has parameters for \(found)"
        case .missingTensor(let file, let name):
            "\(file): tensor '\(name)' is missing"
        case .tensorShape(let file, let name, let expected, let got):
            "\(file): tensor '\(name)' has shape \(got), the architecture needs \(expected)"
        case .nonFinite(let file, let name, let index):
            "\(file): tensor '\(name)' element \(index) is not a finite number"
        case .network(let file, let error, let layer):
            "\(file): " + (layer.map { "layer \($0): " } ?? "") + error.description
        }
    }
}
