/// A network that cannot be built as asked, with every size involved named.
public enum NetworkError: Error, Equatable, CustomStringConvertible {
    /// A network needs at least one layer.
    case noLayers
    /// A size below 1 (an input, output or piece count).
    case invalidSize(String, Int)
    /// Layer `layer` takes `inputSize` inputs but the layer before it gives `previousOutputSize`.
    case sizeMismatch(layer: Int, inputSize: Int, previousOutputSize: Int)
    /// A parameter tensor of layer `layer` has the wrong shape.
    case parameterShape(layer: Int, tensor: String, expected: [Int], got: [Int])
    /// Softmax couples the units of a row; it may only be the output layer's activation.
    case softmaxNotAtOutput(layer: Int)
    /// Data whose width does not fit the network.
    case dataShape(what: String, expected: Int, got: Int)
    /// A layer index outside the network.
    case noSuchLayer(Int, count: Int)

    public var description: String {
        switch self {
        case .noLayers:
            "a network needs at least one layer"
        case .invalidSize(let what, let value):
            "\(what) must be at least 1, got \(value)"
        case .sizeMismatch(let layer, let inputSize, let previous):
            "layer \(layer) takes \(inputSize) inputs but layer \(layer - 1) gives \(previous) outputs"
        case .parameterShape(let layer, let tensor, let expected, let got):
            (layer >= 0 ? "layer \(layer) " : "") + "\(tensor): expected shape \(expected), got \(got)"
        case .softmaxNotAtOutput(let layer):
            "softmax is for the output layer only, but layer \(layer) is a hidden layer"
        case .dataShape(let what, let expected, let got):
            "\(what) has \(got) columns, the network expects \(expected)"
        case .noSuchLayer(let index, let count):
            "layer \(index) does not exist (the network has \(count) layers)"
        }
    }
}
