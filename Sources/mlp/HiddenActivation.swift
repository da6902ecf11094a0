import ArgumentParser
import NeuralNetwork

/// `--activation`: the hidden layers' activation, or Maxout hidden layers with their piece count.
enum HiddenActivation: Equatable, CaseIterable, CustomStringConvertible, ExpressibleByArgument {
    /// Dense hidden layers with this activation (softmax parses, and the architecture refuses
    /// it with a message of its own).
    case activation(Activation)
    /// Maxout hidden layers of `pieces` linear pieces (`maxout` alone: 2).
    case maxout(pieces: Int)

    /// The elementwise activations, then Maxout.
    static let allCases: [HiddenActivation] = Activation.allCases.filter(\.isElementwise).map { .activation($0) } + [.maxout(pieces: 2)]

    init?(argument: String) {
        if argument == "maxout" {
            self = .maxout(pieces: 2)
        } else if argument.hasPrefix("maxout:") {
            guard let pieces = Int(argument.dropFirst("maxout:".count)), pieces >= 1 else { return nil }
            self = .maxout(pieces: pieces)
        } else {
            guard let activation = Activation(name: argument) else { return nil }
            self = .activation(activation)
        }
    }

    var description: String {
        switch self {
        case .activation(let activation): activation.description
        case .maxout(let pieces): "maxout:\(pieces)"
        }
    }

    /// `relu`, `leaky-relu[:slope]`, ..., `maxout[:pieces]`, as help texts and errors list them.
    static var allValueStrings: [String] {
        allCases.map { value in
            switch value {
            case .activation(let activation): activation.argumentPattern
            case .maxout: "maxout[:pieces]"
            }
        }
    }

    static var defaultCompletionKind: CompletionKind {
        .list(allCases.map { value in if case .activation(let activation) = value { activation.description } else { "maxout" } })
    }
}
