import ArgumentParser
import NeuralNetwork

/// `--layers`, `--activation`, `--output`, `--loss`: what the network is made of.
struct ArchitectureOptions: ParsableArguments {
    @Option(help: "Layer sizes, input first, for example 784,256,128,10.")
    var layers: String?

    @Option(help: """
        Hidden activation: identity, step, sigmoid, tanh, relu, leaky-relu[:slope] (0.1), \
        elu[:alpha] (1), relu6, swish, mish; or maxout[:pieces] (2) for Maxout hidden layers.
        """)
    var activation: String?

    @Option(help: "Output activation: softmax, sigmoid, identity, ...")
    var output: String?

    @Option(help: "Loss: cross-entropy, binary-cross-entropy or quadratic (default: the one that fits --output).")
    var loss: String?

    /// Whether any architecture flag was given.
    var isGiven: Bool { layers != nil || activation != nil || output != nil || loss != nil }

    /// The sizes from `--layers`.
    func sizes() throws -> [Int]? {
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
        let sizes = try sizes() ?? defaultSizes
        let hiddenName = activation ?? "relu"
        var hidden = Activation.relu
        var maxoutPieces: Int?
        if hiddenName == "maxout" || hiddenName.hasPrefix("maxout:") {
            let pieces = hiddenName == "maxout" ? 2 : Int(hiddenName.dropFirst("maxout:".count))
            guard let pieces, pieces >= 1 else {
                throw CommandError("--activation: '\(hiddenName)'; expected maxout or maxout:K with K a positive whole number")
            }
            maxoutPieces = pieces
        } else {
            hidden = try Self.activation(hiddenName, flag: "--activation")
            guard hidden != .softmax else { throw CommandError("--activation: softmax is for the output layer only (use --output softmax)") }
        }
        let outputActivation = try Self.activation(output ?? (regression ? "identity" : "softmax"), flag: "--output")
        let lossValue: Loss
        if let loss {
            guard let parsed = Loss(rawValue: loss) else {
                throw CommandError("--loss: unknown loss '\(loss)'; expected one of: " + Loss.allCases.map(\.rawValue).joined(separator: ", "))
            }
            lossValue = parsed
        } else {
            lossValue = Self.defaultLoss(for: outputActivation)
        }
        let architecture = Architecture(sizes: sizes, hiddenActivation: hidden, outputActivation: outputActivation,
                                        loss: lossValue, maxoutPieces: maxoutPieces)
        try ModelSizeLimit.check(architecture, flag: layers != nil ? "--layers" : "the network the data implies,")
        return architecture
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

    static func activation(_ name: String, flag: String) throws -> Activation {
        guard let activation = Activation(name: name) else {
            throw CommandError("\(flag): unknown activation '\(name)'; expected one of: "
                               + "identity, step, sigmoid, tanh, relu, leaky-relu[:slope], elu[:alpha], relu6, swish, mish, softmax")
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
