import Testing
import RealModule
@testable import NeuralNetwork

@Suite("Universal approximation")
struct UniversalApproximationTests {
    /// The course's hand-built six-ReLU network as Dense(1, 6, relu) + Dense(6, 1, identity).
    static func handBuilt() throws -> Network {
        try Network(layers: [
            .dense(try Dense(weights: Matrix([[-5], [-1.2], [1.2], [1.2], [2], [5]]),
                             bias: [-7.7, -1.3, 1, -0.2, -1.1, -5], activation: .relu)),
            .dense(try Dense(weights: Matrix([[-1, -1, -1, 1, 1, 1]]), bias: [0], activation: .identity)),
        ], loss: .quadratic)
    }

    /// Z = -n1 - n2 - n3 + n4 + n5 + n6, evaluated in Double.
    static func formula(_ x: Double) -> Double {
        let n1 = max(0, -5 * x - 7.7), n2 = max(0, -1.2 * x - 1.3), n3 = max(0, 1.2 * x + 1)
        let n4 = max(0, 1.2 * x - 0.2), n5 = max(0, 2 * x - 1.1), n6 = max(0, 5 * x - 5)
        return -n1 - n2 - n3 + n4 + n5 + n6
    }

    /// The network is the formula, not an approximation of it: the only differences are Float
    /// rounding of the constants and of the sum (a few ulps), at 801 points on [-4, 4].
    @Test(arguments: compiledBackends.map(\.name))
    func handBuiltReLUNetworkIsTheFormula(backendName: String) throws {
        let backend = try BackendKind(rawValue: backendName)!.make()
        let xs = (0...800).map { -4 + Double($0) / 100 }
        let output = try Self.handBuilt().predict(Matrix(rows: xs.count, columns: 1, elements: xs.map { Float($0) }), backend: backend)
        for (i, x) in xs.enumerated() {
            let z = Self.formula(Double(Float(x)))
            #expect(abs(Double(output[i, 0]) - z) <= 4e-6 * max(1, abs(z)), "x = \(x): \(output[i, 0]) vs \(z)")
        }
    }

    /// One hidden layer of 12 tanh units, from random weights, fits sin on [-pi, pi] with
    /// max error < 0.05 (Adam, full batch of 64 points, 1500 steps; measured at 1001 points).
    @Test func fitsSine() throws {
        let n = 64
        let xs = (0..<n).map { -Float.pi + 2 * Float.pi * Float($0) / Float(n - 1) }
        let data = regressionDataset(Matrix(rows: n, columns: 1, elements: xs), Matrix(rows: n, columns: 1, elements: xs.map { Float.sin($0) }))
        let network = try Network(sizes: [1, 12, 1], hiddenActivation: .tanh, outputActivation: .identity, loss: .quadratic,
                                  initializer: .xavierNormal, biasInitializer: .normal(standardDeviation: 1), seed: 11)
        let trainer = try Trainer(network: network, optimizer: try Adam(learningRate: 0.02), backend: SwiftBackend(),
                                  options: TrainingOptions(batchSize: n, epochs: 1500, shuffle: false, schedule: .cosine(epochs: 1500)))
        try trainer.train(on: data)
        let grid = (0...1000).map { -Float.pi + 2 * Float.pi * Float($0) / 1000 }
        let output = try trainer.network.predict(Matrix(rows: grid.count, columns: 1, elements: grid), backend: ReferenceBackend())
        let worst = zip(grid, output.elements).map { abs(Double.sin(Double($0)) - Double($1)) }.max()!
        print("sine fit: max error \(worst)")
        #expect(worst < 0.05)
    }
}
