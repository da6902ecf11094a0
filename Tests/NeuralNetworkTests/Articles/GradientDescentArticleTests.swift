import Testing
import NeuralNetwork

/// The code of the article "Gradient descent" (NeuralNetwork.docc/GradientDescent.md).
@Suite("Article: gradient descent")
struct GradientDescentArticleTests {
    @Test func theRuleOnOneParameter() throws {
        // C(w) = (w - 3)², so dC/dw = 2 (w - 3).
        let sgd = try SGD(learningRate: 0.1)
        var w: Float = 0
        for t in 1...60 {
            let step = OptimizationStep(learningRate: sgd.learningRate, count: t)
            w = sgd.update(gradient: 2 * (w - 3), parameter: w, state: NoState(), step: step).parameter
        }
        #expect(abs(w - 3) < 1e-4)
    }

    @Test func miniBatchesOnTwoSpirals() throws {
        let data = Dataset.twoSpirals(count: 1000, seed: 1)
        let network = try Network(sizes: [2, 32, 32, 2], hiddenActivation: .relu, outputActivation: .softmax,
                                  loss: .crossEntropy, seed: 1)
        let trainer = try Trainer(network: network, optimizer: try Adam(learningRate: 0.01), backend: SwiftBackend(),
                                  options: TrainingOptions(batchSize: 32, epochs: 30))
        let history = try trainer.train(on: data)
        let evaluation = try trainer.network.evaluate(data, backend: SwiftBackend())
        #expect(history.epochs.last!.trainingLoss < history.epochs.first!.trainingLoss / 4)
        #expect(evaluation.accuracy! > 0.95)
    }
}
