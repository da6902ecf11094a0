/// Networks as safetensors model files.
///
/// Layout: each tensor of each layer as `layers.{i}.{name}` in its declared shape, all F32, with
/// i the layer's module index in the mirroring PyTorch `nn.Sequential` (``moduleIndices``: a
/// Dense layer with a hidden activation takes two indices, Linear and activation), so that
/// `load_state_dict(..., strict=True)` takes the file: for Dense and Maxout
/// `layers.{i}.weight` of shape `[rows, inputSize]` (W as in
/// z = W a + b and PyTorch's `Linear.weight`; for Maxout `rows = outputSize * pieces`, row
/// `u * pieces + j` being piece j of unit u) and `layers.{i}.bias` of shape `[rows]`; for
/// BatchNorm `weight`, `bias`, `running_mean`, `running_var` (`[features]`) and
/// `num_batches_tracked` (`[]`, F32 here, I64 in PyTorch, which casts it); for LayerNorm
/// `weight` and `bias`. Files written before layers had module indices (`layers.0`, `layers.1`
/// for two Dense layers) read the same way: only the order of the indices counts. The metadata holds
/// `format` = `swiftmlp` and `architecture` = the ``Architecture`` as a JSON string, so a file
/// is self-describing.
///
/// Reading also takes files written elsewhere: any F16/BF16/F32/F64 dtype, and layer indices
/// that are not consecutive (PyTorch's `nn.Sequential` names its Linear layers 0, 2, 4 when
/// activations sit between them): the `layers.{i}` groups are taken in increasing i, one per
/// layer that has tensors. A file
/// without our metadata needs the architecture from the caller.
///
/// A network with a ``standardizer`` adds two F32 tensors of shape `[inputSize]`,
/// `standardizer.mean` and `standardizer.scale` (scikit-learn's `StandardScaler.mean_` and
/// `scale_`), outside the `layers.` names; a file without them loads as a network without one.
/// They are not module parameters, so a PyTorch user takes them out of the state dict before
/// `load_state_dict(..., strict=True)` and applies them to the inputs:
///
///     state = safetensors.torch.load_file(path)
///     mean, scale = state.pop("standardizer.mean"), state.pop("standardizer.scale")
///     model.load_state_dict(state, strict=True)
///     outputs = model((x - mean) / scale)
///
/// Reading takes them the same way from a file written elsewhere.
extension Network {
    /// The metadata key holding the architecture JSON.
    public static let architectureMetadataKey = "architecture"
    /// The names of the standardizer's tensors in a model file.
    public static let standardizerTensorNames = (mean: "standardizer.mean", scale: "standardizer.scale")

    /// The name of a tensor in a model file, as PyTorch's `nn.Sequential` held as `layers`
    /// names it: `layers.{i}.{name}` with i the index of the layer's module in the sequence
    /// that mirrors the network (``moduleIndices``).
    func fileName(of entry: ParameterArena.Entry) -> String {
        "layers.\(moduleIndices[entry.layer]).\(entry.declaration.name)"
    }

    /// Per layer, the index of its module in the mirroring `nn.Sequential`: a Dense layer is a
    /// `Linear` followed, unless its activation is the identity or it is the output layer, by
    /// the activation's module (the output activation belongs to the loss, as in PyTorch); every
    /// other layer is one module (`BatchNorm1d`, `LayerNorm`, `Dropout`, `ReLU`, ...). For a
    /// network of Dense layers, the indices 0, 2, 4, ... of such a sequence.
    public var moduleIndices: [Int] {
        var indices: [Int] = [], next = 0
        for (l, kind) in kinds.enumerated() {
            indices.append(next)
            let activation = kind.specification.activation
            next += activation != nil && activation != .identity && l < kinds.count - 1 ? 2 : 1
        }
        return indices
    }

    /// The network as named tensors with its architecture in the metadata.
    public var safeTensors: SafeTensors {
        var tensors: [String: SafeTensors.Tensor] = [:]
        for entry in arena.entries {
            tensors[fileName(of: entry)] = SafeTensors.Tensor(shape: entry.declaration.shape, values: Array(arena.values[entry.range]))
        }
        if let standardizer {
            tensors[Self.standardizerTensorNames.mean] = SafeTensors.Tensor(shape: [inputSize], values: standardizer.mean)
            tensors[Self.standardizerTensorNames.scale] = SafeTensors.Tensor(shape: [inputSize], values: standardizer.scale)
        }
        let metadata = ["format": "swiftmlp", Self.architectureMetadataKey: JSONDocument.encode(Architecture(of: self))]
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
    ///   - file: the safetensors file as read.
    ///   - fileName: the file's name, for messages.
    ///   - given: what the layers are (argument label `architecture`); nil takes it from the file's metadata. When both
    ///     exist, the given one wins and the tensors must fit it.
    /// - Throws: ``ModelFileError`` naming the file and the tensor or metadata that is wrong.
    public init(safeTensors file: SafeTensors, fileName: String, architecture given: Architecture? = nil) throws(ModelFileError) {
        let architecture: Architecture
        if let given {
            architecture = given
        } else {
            guard let text = file.metadata[Self.architectureMetadataKey] else { throw .noArchitecture(file: fileName) }
            do {
                architecture = try JSONDocument.decode(Architecture.self, from: text)
            } catch let error as JSONError {
                throw .badArchitecture(file: fileName, problem: error.description)
            } catch let error as ArchitectureError {
                throw .badArchitecture(file: fileName, problem: error.problem)
            } catch {
                throw .badArchitecture(file: fileName, problem: "\(error)")
            }
        }

        // Group the tensor names by layer index; anything else is not ours to ignore.
        var groups: [Int: Set<String>] = [:]
        let standardizerNames = [Self.standardizerTensorNames.mean, Self.standardizerTensorNames.scale]
        for name in file.tensors.keys where !standardizerNames.contains(name) {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "layers", let index = Int(parts[1]), index >= 0, !parts[2].isEmpty else {
                throw .unexpectedTensor(file: fileName, name: name)
            }
            groups[index, default: []].insert(String(parts[2]))
        }
        let ordered = groups.keys.sorted()
        let kinds: [any Layer]
        do {
            kinds = try architecture.layers.enumerated().map { index, spec throws(NetworkError) in try spec.makeLayer(index: index) }
        } catch {
            throw .network(file: fileName, error: error, layer: nil)
        }
        // The groups belong, in increasing index, to the layers that have tensors.
        let holders = kinds.indices.filter { !kinds[$0].tensors.isEmpty }
        guard ordered.count == holders.count else {
            throw .layerCount(file: fileName, expected: holders.count, found: ordered.count)
        }
        var layers = kinds
        for (index, position) in zip(ordered, holders) {
            let declarations = kinds[position].tensors
            for name in groups[index]! where !declarations.contains(where: { $0.name == name }) {
                throw .unexpectedTensor(file: fileName, name: "layers.\(index).\(name)")
            }
            var values: [[Float]] = []
            for declaration in declarations {
                let name = "layers.\(index).\(declaration.name)"
                guard let tensor = file.tensors[name] else { throw .missingTensor(file: fileName, name: name) }
                guard tensor.shape == declaration.shape else {
                    throw .tensorShape(file: fileName, name: name, expected: declaration.shape, got: tensor.shape)
                }
                if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
                    throw .nonFinite(file: fileName, name: name, index: bad)
                }
                values.append(tensor.values)
            }
            layers[position] = kinds[position].replacingValues(values)
        }
        do {
            try self.init(layers: layers, loss: architecture.loss)
        } catch {
            throw .network(file: fileName, error: error, layer: nil)
        }
        standardizer = try Self.storedStandardizer(in: file, fileName: fileName, inputSize: inputSize)
    }

    /// The standardizer stored in `file` (both tensors, shape `[inputSize]`), or nil when the
    /// file has neither.
    private static func storedStandardizer(in file: SafeTensors, fileName: String, inputSize: Int) throws(ModelFileError) -> Standardizer? {
        let names = standardizerTensorNames
        guard file.tensors[names.mean] != nil || file.tensors[names.scale] != nil else { return nil }
        var values: [[Float]] = []
        for name in [names.mean, names.scale] {
            guard let tensor = file.tensors[name] else { throw .missingTensor(file: fileName, name: name) }
            guard tensor.shape == [inputSize] else {
                throw .tensorShape(file: fileName, name: name, expected: [inputSize], got: tensor.shape)
            }
            values.append(tensor.values)
        }
        do {
            return try Standardizer(mean: values[0], scale: values[1])
        } catch {
            throw .standardizer(file: fileName, error: error)
        }
    }

    /// The network in the safetensors file at `path` (see ``init(safeTensors:fileName:architecture:)``).
    ///
    /// - Throws: `FileError`, `SafeTensorsError` (module MLPData) or ``ModelFileError``, each naming the file.
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
    /// A tensor that is not `layers.{i}.{name}` with a name the layer declares.
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
    /// The `standardizer.mean` or `standardizer.scale` values are not a standardizer's.
    case standardizer(file: String, error: DatasetError)

    public var description: String {
        switch self {
        case .noArchitecture(let file):
            "\(file): no architecture in the file's metadata; give it with --layers, --activation and --output"
        case .badArchitecture(let file, let problem):
            "\(file): metadata 'architecture': \(problem)"
        case .unexpectedTensor(let file, let name):
            "\(file): tensor '\(name)' is not a layer parameter (expected names layers.{i}.{tensor} of the layers' tensors, such as layers.0.weight)"
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
        case .standardizer(let file, let error):
            "\(file): \(error)"
        }
    }
}
