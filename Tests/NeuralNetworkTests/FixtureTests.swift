import Foundation
import Testing
import TestSupport
@testable import NeuralNetwork

/// The network against the independent float64 numpy implementation in
/// Fixtures/generate_fixtures.py: forward outputs, loss, gradients, and the weights after
/// plain SGD in file order, on every compiled backend.
@Suite("numpy fixtures")
struct FixtureTests {
    typealias Fixture = NetworkFixture

    static let cases = ["identity", "step", "sigmoid", "tanh", "relu", "leaky-relu", "elu", "relu6", "relu6-saturated",
                        "swish", "mish", "sigmoid-quadratic", "identity-quadratic", "binary", "deep", "maxout"]

    static func load(_ name: String) throws -> Fixture {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try Fixture(contentsOf: directory.appendingPathComponent("network-\(name).json"))
    }

    static func matrix(_ rows: [[Double]]) -> Matrix { Matrix(rows.map { $0.map(Float.init) }) }

    static func network(_ f: Fixture) throws -> Network {
        let layers: [Layer] = try f.layers.enumerated().map { l, spec in
            let weights = matrix(f.initialWeights[l]), bias = f.initialBiases[l].map(Float.init)
            if spec.kind == "maxout" {
                return .maxout(try Maxout(weights: weights, bias: bias, pieces: try #require(spec.pieces)))
            }
            let activationName = try #require(spec.activation)
            let activation = try #require(Activation(name: activationName))
            return .dense(try Dense(weights: weights, bias: bias, activation: activation))
        }
        return try Network(layers: layers, loss: try #require(Loss(rawValue: f.loss)))
    }

    /// Normwise relative error of a computed tensor against the fixture's float64 values.
    static func error(_ computed: [Float], _ expected: [[Double]]) -> Double {
        relativeDifference(computed, expected.flatMap { $0 })
    }

    @Test("forward, loss, gradients and SGD training agree with numpy", arguments: cases)
    func agreesWithNumpy(name: String) throws {
        let f = try Self.load(name)
        let network = try Self.network(f)
        let x = Self.matrix(f.inputs), y = Self.matrix(f.targets)
        var worst = (forward: 0.0, loss: 0.0, gradient: 0.0, trained: 0.0)
        for backend in compiledBackends {
            let trace = try network.backpropagationTrace(inputs: x, targets: y, backend: backend)
            let forward = Self.error(trace.output.elements, f.forwardOutputs)
            let loss = abs(Double(trace.loss) - f.loss0) / abs(f.loss0)
            var gradient = 0.0
            for (l, layer) in trace.layers.enumerated() {
                gradient = max(gradient, Self.error(layer.gradient.weights.elements, f.gradientWeights[l]),
                               Self.error(layer.gradient.bias, [f.gradientBiases[l]]))
            }
            let trainer = try Trainer(network: network, optimizer: SGD(learningRate: f.learningRate), backend: backend,
                                      options: TrainingOptions(batchSize: f.batchSize, epochs: f.epochs, shuffle: false))
            var batches: [Int] = []
            try trainer.train(on: regressionDataset(x, y), onBatch: { batches.append($0.samples) })
            #expect(batches.count == f.epochs * 3 && batches.suffix(3) == [4, 4, 2], "last smaller batch is used")
            var trained = 0.0
            for l in trainer.network.layers.indices {
                let (w, b) = try trainer.network.parameters(layer: l)
                trained = max(trained, Self.error(w.elements, f.trainedWeights[l]), Self.error(b, [f.trainedBiases[l]]))
            }
            let trainedLoss = try trainer.network.loss(inputs: x, targets: y, backend: backend)
            trained = max(trained, abs(Double(trainedLoss) - f.trainedLoss) / abs(f.trainedLoss))
            #expect(forward < 1e-3 && loss < 1e-3 && gradient < 1e-3 && trained < 1e-3,
                    "\(name) on \(backend.name): forward \(forward), loss \(loss), gradients \(gradient), trained \(trained)")
            worst = (max(worst.forward, forward), max(worst.loss, loss), max(worst.gradient, gradient), max(worst.trained, trained))
        }
        print("fixture \(name): forward \(worst.forward), loss \(worst.loss), gradients \(worst.gradient), trained \(worst.trained)")
    }
}
