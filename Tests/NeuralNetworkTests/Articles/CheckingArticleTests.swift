import Testing
import NeuralNetwork

/// The code of the article "Checking the numbers" (NeuralNetwork.docc/CheckingTheNumbers.md).
@Suite("Article: checking the numbers")
struct CheckingArticleTests {
    @Test func everyProductOnTwoBackends() throws {
        let checking = CheckingBackend(primary: SwiftBackend(threads: 2), reference: ReferenceBackend())
        let network = try Network(sizes: [2, 16, 2], hiddenActivation: .relu, outputActivation: .softmax,
                                  loss: .crossEntropy, seed: 3)
        let trainer = try Trainer(network: network, optimizer: try SGD(learningRate: 0.1), backend: checking,
                                  options: TrainingOptions(batchSize: 50, epochs: 2))
        try trainer.train(on: Dataset.twoSpirals(count: 200))
        // Three products per layer and step, two for layer 0 (it passes no error down).
        #expect(checking.report.count == 5)
        for (site, record) in checking.report {
            #expect(record.calls == 8 && record.maxRelativeDifference < 1e-5, "\(site): \(record)")
        }
    }

    @Test func backpropagationAgainstFiniteDifferences() throws {
        let network = try Network(sizes: [4, 6, 3], hiddenActivation: .tanh, outputActivation: .softmax,
                                  loss: .crossEntropy, seed: 5)
        let inputs = Matrix([[0.1, -0.2, 0.3, 0.9], [1, 0.5, -1, 0], [-0.7, 0.2, 0.4, -0.1]])
        let targets = Matrix([[1, 0, 0], [0, 0, 1], [0, 1, 0]])
        let report = try GradientCheck.check(network, inputs: inputs, targets: targets, backend: SwiftBackend())
        #expect(report.layers.count == 2 && report.worst < 1e-4)
    }
}
