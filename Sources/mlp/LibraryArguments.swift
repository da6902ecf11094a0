import ArgumentParser
import NeuralNetwork

// The library's option types as command-line arguments: each parses the name its
// `description` prints (the name a model file stores), and its `allCases` are the values
// that help texts and errors list.

extension Activation: ExpressibleByArgument {
    /// `identity`, ..., `leaky-relu[:slope]`, `elu[:alpha]`, ..., `softmax`.
    public static var allValueStrings: [String] { allCases.map(\.argumentPattern) }
    public static var defaultCompletionKind: CompletionKind { .list(allCases.map(\.description)) }

    /// The name with its optional parameter, as help texts show it.
    var argumentPattern: String {
        switch self {
        case .leakyReLU: "leaky-relu[:slope]"
        case .elu: "elu[:alpha]"
        default: description
        }
    }
}

extension Initializer: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }

    /// `xavier-uniform`, ..., `normal[:sigma]`.
    public static var allValueStrings: [String] {
        allCases.map { if case .normal = $0 { "normal[:sigma]" } else { $0.description } }
    }
    public static var defaultCompletionKind: CompletionKind {
        .list(allCases.map { if case .normal = $0 { "normal" } else { $0.description } })
    }
}

extension Loss: ExpressibleByArgument {}

extension Architecture.Normalization: ExpressibleByArgument {}

extension BackendKind: ExpressibleByArgument {}
