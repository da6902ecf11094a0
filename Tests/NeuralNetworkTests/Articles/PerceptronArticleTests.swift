import Testing
import NeuralNetwork

/// The code of the article "The perceptron" (NeuralNetwork.docc/ThePerceptron.md), run as it is
/// printed there; ``ArticleCodeTests`` checks that the article still prints exactly this.
@Suite("Article: the perceptron")
struct PerceptronArticleTests {
    @Test func theLearningRuleLearnsAND() {
        let andGate: [(input: [Float], target: Int)] = [([0, 0], 0), ([0, 1], 0), ([1, 0], 0), ([1, 1], 1)]
        var perceptron = Perceptron(inputSize: 2)
        let mistakes = perceptron.train(andGate, epochs: 20)
        #expect(mistakes.last == 0)
        #expect(andGate.allSatisfy { perceptron.output($0.input) == $0.target })
    }

    @Test func oneStepOfTheRule() {
        var perceptron = Perceptron(weights: [0, 0], threshold: 0)
        // Output 1 (0 - 0 >= 0) where 0 was wanted: w <- w - x, T <- T + 1.
        let wasRight = perceptron.learn([1, 1], target: 0)
        #expect(!wasRight)
        #expect(perceptron.weights == [-1, -1] && perceptron.threshold == 1)
    }

    @Test func theSoftPerceptron() throws {
        let network = try Network.logisticPerceptron(inputSize: 2, seed: 1)
        let inputs = Matrix([[0, 0], [0, 1], [1, 0], [1, 1]])
        let data = try Dataset(count: 4, featureCount: 2, features: .floats(inputs.elements),
                               targets: .values([0, 0, 0, 1], width: 1))
        let trainer = try Trainer(network: network, optimizer: try SGD(learningRate: 1), backend: ReferenceBackend(),
                                  options: TrainingOptions(batchSize: 4, epochs: 500, shuffle: false))
        try trainer.train(on: data)
        let probabilities = try trainer.network.predict(inputs, backend: ReferenceBackend())
        #expect(probabilities.elements.map { $0 >= 0.5 ? 1 : 0 } == [0, 0, 0, 1])
    }
}
