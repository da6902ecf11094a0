import Testing
@testable import NeuralNetwork

@Suite("Perceptron")
struct PerceptronTests {
    static let inputs: [[Float]] = [[0, 0], [0, 1], [1, 0], [1, 1]]

    static func samples(_ truth: (Bool, Bool) -> Bool) -> [(input: [Float], target: Int)] {
        inputs.map { ($0, truth($0[0] == 1, $0[1] == 1) ? 1 : 0) }
    }

    static func allRight(_ p: Perceptron, _ samples: [(input: [Float], target: Int)]) -> Bool {
        samples.allSatisfy { p.output($0.input) == $0.target }
    }

    @Test func learnsAND() {
        var p = Perceptron(inputSize: 2)
        let mistakes = p.train(Self.samples { $0 && $1 }, epochs: 50)
        #expect(mistakes.last == 0 && Self.allRight(p, Self.samples { $0 && $1 }))
    }

    @Test func learnsOR() {
        var p = Perceptron(inputSize: 2)
        let mistakes = p.train(Self.samples { $0 || $1 }, epochs: 50)
        #expect(mistakes.last == 0 && Self.allRight(p, Self.samples { $0 || $1 }))
    }

    /// XOR is not linearly separable: no line w . x = T puts (0,1) and (1,0) on one side and
    /// (0,0) and (1,1) on the other (the first two need w1 >= T and w2 >= T, the others
    /// 0 < T and w1 + w2 < T, and adding the first two gives w1 + w2 >= 2T > T). So whatever
    /// the rule does, no epoch can end with all four samples right.
    @Test func cannotLearnXOR() {
        let xor = Self.samples { $0 != $1 }
        var p = Perceptron(inputSize: 2)
        for _ in 0..<200 {
            _ = p.train(xor, epochs: 1)
            #expect(!Self.allRight(p, xor))
        }
    }

    @Test func thresholdRule() {
        let p = Perceptron(weights: [1, 1], threshold: 2)
        #expect(p.output([1, 1]) == 1 && p.output([1, 0]) == 0)
        var q = Perceptron(weights: [0, 0], threshold: 0)
        // (1, 1) with target 0 and output 1: w <- w - x, T <- T + 1.
        q.learn([1, 1], target: 0)
        #expect(q.weights == [-1, -1] && q.threshold == 1)
    }

    @Test func theSoftPerceptronLearnsAND() throws {
        let network = try Network.logisticPerceptron(inputSize: 2, seed: 1)
        #expect(network.layers.count == 1 && network.outputActivation == .sigmoid && network.loss == .binaryCrossEntropy)
        let x = Matrix(Self.inputs), y = Matrix([[0], [0], [0], [1]])
        let trainer = try Trainer(network: network, optimizer: try SGD(learningRate: 1), backend: ReferenceBackend(),
                                  options: TrainingOptions(batchSize: 4, epochs: 500, shuffle: false))
        try trainer.train(on: regressionDataset(x, y))
        let output = try trainer.network.predict(x, backend: ReferenceBackend())
        #expect(output.elements.map { $0 >= 0.5 ? 1 : 0 } == [0, 0, 0, 1])
    }
}
