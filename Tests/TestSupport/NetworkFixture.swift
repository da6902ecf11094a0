import Foundation

/// One `Tests/NeuralNetworkTests/Fixtures/network-<case>.json`: a small network, its data and
/// what the independent float64 numpy implementation (`generate_fixtures.py` beside the files)
/// computed for it: forward outputs, loss, gradients, and the tensors after plain SGD in file
/// order. The library's tests and the tool's tests read the same files through this.
public struct NetworkFixture: Decodable, Sendable {
    /// One layer: `dense` (with its activation) or `maxout` (with its piece count).
    public struct LayerSpec: Decodable, Sendable {
        public var kind: String
        public var inputSize: Int
        public var outputSize: Int
        public var activation: String?
        public var pieces: Int?
    }

    public var `case`: String
    public var layers: [LayerSpec]
    public var loss: String
    public var learningRate: Float
    public var batchSize: Int
    public var epochs: Int
    /// One sample per row.
    public var inputs: [[Double]]
    /// One target row per sample (one-hot for classification).
    public var targets: [[Double]]
    /// Per layer, `[out][in]` as in z = W a + b.
    public var initialWeights: [[[Double]]]
    public var initialBiases: [[Double]]
    /// The network's output for ``inputs`` at the initial tensors.
    public var forwardOutputs: [[Double]]
    /// The loss at the initial tensors (named so in the file: `loss` is the loss's name).
    public var loss0: Double
    /// dC/dW and dC/db per layer at the initial tensors, over all samples as one batch.
    public var gradientWeights: [[[Double]]]
    public var gradientBiases: [[Double]]
    /// The tensors after ``epochs`` epochs of SGD in file order, batches of ``batchSize``.
    public var trainedWeights: [[[Double]]]
    public var trainedBiases: [[Double]]
    public var trainedLoss: Double

    /// The fixture in the file at `url`.
    public init(contentsOf url: URL) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(contentsOf: url))
    }
}
