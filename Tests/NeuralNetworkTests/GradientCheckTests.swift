import Testing
@testable import NeuralNetwork

/// Whole-network backprop against central differences in Double (GradientCheck), for every
/// hidden activation times every output/loss pairing, and Maxout, on every compiled backend.
@Suite("Gradient check")
struct GradientCheckTests {
    static let hidden = Activation.allCases.filter(\.isElementwise)
    static let heads: [(Activation, Loss)] = [(.softmax, .crossEntropy), (.sigmoid, .quadratic), (.identity, .quadratic),
                                              (.sigmoid, .binaryCrossEntropy)]

    static func targets(for loss: Loss, activation: Activation, rows: Int, columns: Int, seed: UInt64) -> Matrix {
        switch (loss, activation) {
        case (.crossEntropy, _), (.quadratic, .sigmoid): oneHotTargets(rows: rows, classes: columns, seed: seed)
        case (.binaryCrossEntropy, _): Matrix(rows: rows, columns: columns, elements: randomMatrix(rows: rows, columns: columns, seed: seed).elements.map { $0 > 0 ? 1 : 0 })
        default: randomMatrix(rows: rows, columns: columns, seed: seed)
        }
    }

    @Test("every hidden activation x every head, every backend", arguments: hidden)
    func denseNetworks(hiddenActivation: Activation) throws {
        var worst = 0.0
        for (outputActivation, loss) in Self.heads {
            let network = try Network(sizes: [3, 5, 4, 3], hiddenActivation: hiddenActivation, outputActivation: outputActivation,
                                      loss: loss, initializer: .normal(standardDeviation: 0.8),
                                      biasInitializer: .normal(standardDeviation: 0.2), seed: 17)
            let x = randomMatrix(rows: 6, columns: 3, seed: 31)
            let y = Self.targets(for: loss, activation: outputActivation, rows: 6, columns: 3, seed: 32)
            for backend in compiledBackends {
                let report = try GradientCheck.check(network, inputs: x, targets: y, backend: backend)
                #expect(report.worst < 1e-4, "\(hiddenActivation) -> \(outputActivation)/\(loss) on \(backend.name): \(report)")
                worst = max(worst, report.worst)
            }
        }
        print("gradient check \(hiddenActivation): worst relative error \(worst)")
    }

    @Test func maxoutNetwork() throws {
        var generator = SeededGenerator(seed: 5)
        let network = try Network(layers: [
            .maxout(Maxout(inputSize: 4, outputSize: 5, pieces: 3, initializer: .normal(standardDeviation: 0.6),
                           biasInitializer: .normal(standardDeviation: 0.1), generator: &generator)),
            .maxout(Maxout(inputSize: 5, outputSize: 4, pieces: 2, initializer: .normal(standardDeviation: 0.6), generator: &generator)),
            .dense(Dense(inputSize: 4, outputSize: 3, activation: .softmax, initializer: .xavierUniform, generator: &generator)),
        ], loss: .crossEntropy)
        let x = randomMatrix(rows: 7, columns: 4, seed: 41), y = oneHotTargets(rows: 7, classes: 3, seed: 42)
        var worst = 0.0
        for backend in compiledBackends {
            let report = try GradientCheck.check(network, inputs: x, targets: y, backend: backend)
            #expect(report.worst < 1e-4, "maxout on \(backend.name): \(report)")
            worst = max(worst, report.worst)
        }
        // A Maxout output layer with the quadratic loss.
        let regression = try Network(layers: [
            .dense(Dense(inputSize: 4, outputSize: 5, activation: .tanh, initializer: .xavierNormal, generator: &generator)),
            .maxout(Maxout(inputSize: 5, outputSize: 2, pieces: 3, initializer: .normal(standardDeviation: 0.6), generator: &generator)),
        ], loss: .quadratic)
        let report = try GradientCheck.check(regression, inputs: x, targets: randomMatrix(rows: 7, columns: 2, seed: 43), backend: ReferenceBackend())
        #expect(report.worst < 1e-4)
        print("gradient check maxout: worst relative error \(max(worst, report.worst))")
    }

    @Test func aWrongGradientIsCaught() throws {
        // The check must be able to fail: compare against a deliberately perturbed network's loss.
        let network = try Network(sizes: [2, 3, 1], hiddenActivation: .tanh, outputActivation: .identity, loss: .quadratic, seed: 3)
        let x = randomMatrix(rows: 4, columns: 2, seed: 1), y = randomMatrix(rows: 4, columns: 1, seed: 2)
        let numeric = GradientCheck.numericGradient(network, layer: 0, bias: false, inputs: x, targets: y)
        let backprop = try network.gradients(inputs: x, targets: y, backend: ReferenceBackend())[0].weights.elements
        #expect(relativeDifference(backprop, numeric) < 1e-5)
        #expect(relativeDifference(backprop.map { $0 * 1.01 }, numeric) > 5e-3)
    }
}
