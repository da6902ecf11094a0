import Testing
import NeuralNetwork

/// The usage example of the NeuralNetwork module's documentation, run as a test (public API only).
@Test func usageExample() throws {
    let data = try Dataset(count: 4, featureCount: 2, features: .floats([0, 0, 0, 1, 1, 0, 1, 1]),
                       targets: .classes([0, 1, 1, 0], classCount: 2))
    let backend = try BackendKind.auto.make(threads: 1)
    var network = try Network(sizes: [2, 8, 2], hiddenActivation: .tanh, outputActivation: .softmax,
                              loss: .crossEntropy, initializer: .xavierUniform, seed: 42)
    let trainer = try Trainer(network: network, optimizer: try Adam(learningRate: 0.05), backend: backend,
                              options: TrainingOptions(batchSize: 4, epochs: 300, shuffle: false))
    try trainer.train(on: data, onEpoch: { _ in /* report.trainingLoss, .samplesPerSecond, .validation */ })
    network = trainer.network
    let evaluation = try network.evaluate(data, backend: backend)          // loss, accuracy
    let (weights, bias) = try network.parameters(layer: 0)                // [8, 2] and [8]
    try network.setParameters(layer: 0, weights: weights, bias: bias)     // e.g. from a model file
    let reference = try network.backpropagationTrace(inputs: Matrix([[0, 1]]), targets: Matrix([[0, 1]]), backend: ReferenceBackend())
    let fast = try network.backpropagationTrace(inputs: Matrix([[0, 1]]), targets: Matrix([[0, 1]]), backend: backend)
    let perLayer = fast.differences(from: reference)                      // Z, A, Delta, dW, db per layer
    #expect(evaluation.accuracy == 1 && weights.rows == 8 && bias.count == 8)
    #expect(perLayer.allSatisfy { $0.worst < 1e-5 })
}
