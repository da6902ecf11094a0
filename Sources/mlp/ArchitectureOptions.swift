import ArgumentParser
import NeuralNetwork

/// `--layers`, `--activation`, `--output`, `--loss`: what the network is made of.
struct ArchitectureOptions: ParsableArguments {
    @Option(help: "Layer sizes, input first, for example 784,256,128,10.")
    var layers: String?

    @Option(help: """
        Hidden activation (default: relu); leaky-relu's slope defaults to 0.1, elu's alpha to 1, \
        and maxout (Maxout hidden layers) takes 2 pieces unless given.
        """)
    var activation: HiddenActivation?

    @Option(help: "Output activation (default: softmax, or identity for regression with --targets).")
    var output: Activation?

    @Option(help: "Loss (default: the one that fits --output).")
    var loss: Loss?

    @Option(help: "Dropout probability after each hidden layer (default 0: none).")
    var dropout: Float?

    @Option(help: "Normalise each hidden layer before its activation: batch (BatchNorm) or layer (LayerNorm).")
    var normalization: Architecture.Normalization?

    @Option(help: ArgumentHelp("""
        The layers one by one instead of --layers/--activation/--dropout/--normalization: the input size, \
        then comma-separated dense:N[:activation], maxout:N:K, batch-norm, layer-norm, dropout:P, or an \
        activation name; for example 784,dense:256,batch-norm,relu,dropout:0.2,dense:10:softmax.
        """, valueName: "spec"))
    var spec: String?

    /// Whether any architecture flag was given.
    var isGiven: Bool {
        layers != nil || activation != nil || output != nil || loss != nil || dropout != nil || normalization != nil || spec != nil
    }

    /// The sizes from `--layers` (or the input and output sizes of `--spec`).
    func sizes() throws -> [Int]? {
        // --spec: its sizes (the input size 1 stands in when the spec leaves it to the data).
        if let specified = try specifiedArchitecture(inputSize: 1) { return specified.sizes }
        guard let layers else { return nil }
        let parts = layers.split(separator: ",", omittingEmptySubsequences: false)
        var sizes: [Int] = []
        for (index, part) in parts.enumerated() {
            guard let size = Int(part.trimmingSpaces), size >= 1 else {
                throw CommandError("--layers: entry \(index + 1) is '\(part)'; expected a positive whole number (for example 784,256,10)")
            }
            sizes.append(size)
        }
        guard sizes.count >= 2 else { throw CommandError("--layers: '\(layers)' has \(sizes.count) size; expected at least input and output sizes") }
        return sizes
    }

    /// The architecture the flags describe; `defaultSizes` stands in for `--layers` when it is
    /// absent. For `regression` (real-valued targets, `--targets N`) the default output is
    /// identity, whose default loss is quadratic; otherwise softmax with cross-entropy.
    func architecture(defaultSizes: [Int], regression: Bool = false) throws -> Architecture {
        if let specified = try specifiedArchitecture(inputSize: defaultSizes.first) {
            try ModelSizeLimit.check(specified, flag: "--spec")
            return specified
        }
        let sizes = try sizes() ?? defaultSizes
        var hidden = Activation.relu
        var maxoutPieces: Int?
        switch activation ?? .activation(.relu) {
        case .maxout(let pieces):
            maxoutPieces = pieces
        case .activation(let activation):
            guard activation != .softmax else { throw CommandError("--activation: softmax is for the output layer only (use --output softmax)") }
            hidden = activation
        }
        let outputActivation = output ?? (regression ? .identity : .softmax)
        if let dropout, !(dropout >= 0 && dropout < 1) {
            throw CommandError("--dropout: \(dropout); expected a probability in [0, 1)")
        }
        let architecture = Architecture(sizes: sizes, hiddenActivation: hidden, outputActivation: outputActivation,
                                        loss: loss ?? Self.defaultLoss(for: outputActivation), maxoutPieces: maxoutPieces,
                                        normalization: normalization, dropout: dropout ?? 0)
        try ModelSizeLimit.check(architecture, flag: layers != nil ? "--layers" : "the network the data implies,")
        return architecture
    }

    /// The architecture `--spec` describes, the input size its first entry when that is a
    /// number, else `inputSize` (the data's); nil without `--spec`.
    func specifiedArchitecture(inputSize: Int?) throws -> Architecture? {
        guard let spec else { return nil }
        guard layers == nil && activation == nil && dropout == nil && normalization == nil else {
            throw CommandError("--spec describes every layer; give it without --layers, --activation, --dropout and --normalization")
        }
        var entries = spec.split(separator: ",", omittingEmptySubsequences: false).map { String($0.trimmingSpaces) }
        var input = inputSize
        if let first = entries.first, let size = Int(first) {
            guard size >= 1 else { throw CommandError("--spec: input size '\(first)'; expected a positive whole number") }
            input = size
            entries.removeFirst()
        }
        guard let input else { throw CommandError("--spec: start with the input size (for example 784,dense:10:softmax)") }
        var blueprints: [LayerBlueprint] = []
        for (index, entry) in entries.enumerated() {
            func bad(_ expected: String) -> CommandError {
                CommandError("--spec: entry \(index + 1) is '\(entry)'; expected \(expected)")
            }
            let parts = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            switch parts[0] {
            case "dense":
                guard parts.count >= 2, let size = Int(parts[1]), size >= 1 else { throw bad("dense:N[:activation] with N a positive whole number") }
                let activation = parts.count == 3 ? try Self.activation(parts[2], flag: "--spec") : .identity
                blueprints.append(.dense(size, activation))
            case "maxout":
                guard parts.count == 3, let size = Int(parts[1]), let pieces = Int(parts[2]), size >= 1, pieces >= 1 else {
                    throw bad("maxout:N:K with positive whole numbers")
                }
                blueprints.append(.maxout(size, pieces: pieces))
            case "dropout":
                guard parts.count == 2, let p = Float(parts[1]), p >= 0, p < 1 else { throw bad("dropout:P with P in [0, 1)") }
                blueprints.append(.dropout(p))
            case "batch-norm" where parts.count == 1: blueprints.append(.batchNorm)
            case "layer-norm" where parts.count == 1: blueprints.append(.layerNorm)
            default:
                guard let activation = Activation(name: entry), activation != .softmax else {
                    throw bad("dense:N[:activation], maxout:N:K, batch-norm, layer-norm, dropout:P or an elementwise activation")
                }
                blueprints.append(.activation(activation))
            }
        }
        guard case .dense(let outputActivation)? = blueprints.last?.kind else {
            throw CommandError("--spec: the last layer must be dense:N[:activation], the output layer")
        }
        return Architecture(inputSize: input, loss: loss ?? Self.defaultLoss(for: outputActivation), blueprints: blueprints)
    }

    /// The loss that pairs with an output activation: cross-entropy for softmax, binary
    /// cross-entropy for sigmoid, quadratic otherwise.
    static func defaultLoss(for output: Activation) -> Loss {
        switch output {
        case .softmax: .crossEntropy
        case .sigmoid: .binaryCrossEntropy
        default: .quadratic
        }
    }

    /// The activation of a `--spec` entry.
    static func activation(_ name: String, flag: String) throws -> Activation {
        guard let activation = Activation(name: name) else {
            throw CommandError("\(flag): unknown activation '\(name)'; expected one of: " + Activation.allValueStrings.joined(separator: ", "))
        }
        return activation
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
