import LinearAlgebra
@testable import NeuralNetwork
import Testing

/// The vectorised elementwise passes give exactly (bit for bit) what the scalar formulas give,
/// and the tensor form of every optimizer rule matches the rule applied scalar by scalar.
@Suite struct ElementwiseKernelTests {
    /// Values with the awkward cases in them: signed zeros, NaN, infinities, tiny and huge.
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        let special: [Float] = [0, -0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, -1e30, 1e30]
        return (0..<count).map { i in i % 11 < special.count && i % 3 == 0 ? special[i % 11] : Float(generator.nextNormal()) }
    }

    @Test("ReLU bias + activation equals the scalar pass", arguments: [(1, 1), (3, 16), (5, 37), (7, 256), (2, 10)])
    func reluForward(_ shape: (Int, Int)) {
        let (rows, columns) = shape
        let z0 = Self.values(rows * columns, seed: 1), bias = Self.values(columns, seed: 2)
        var z = z0, a = [Float](repeating: 7, count: z0.count)
        z.withUnsafeMutableBufferPointer { pz in
            a.withUnsafeMutableBufferPointer { pa in
                bias.withUnsafeBufferPointer { pb in
                    Activation.reluAddBias(pz.baseAddress!, output: pa.baseAddress!, bias: pb.baseAddress!, rows: rows, columns: columns)
                }
            }
        }
        for i in 0..<z0.count {
            let expected = z0[i] + bias[i % columns]
            #expect(z[i].bitPattern == expected.bitPattern || z[i].isNaN && expected.isNaN)
            let expectedA = Activation.relu.value(expected)
            #expect(a[i].bitPattern == expectedA.bitPattern || a[i].isNaN && expectedA.isNaN, "entry \(i): \(a[i]) vs \(expectedA)")
        }
    }

    @Test("ReLU derivative + Hadamard equals the scalar pass", arguments: [1, 15, 16, 17, 1000])
    func reluBackward(_ count: Int) {
        let z = Self.values(count, seed: 3), delta0 = Self.values(count, seed: 4)
        var delta = delta0
        delta.withUnsafeMutableBufferPointer { d in
            z.withUnsafeBufferPointer { pz in Activation.reluBackpropagate(d.baseAddress!, preactivation: pz.baseAddress!, count: count) }
        }
        for i in 0..<count {
            let expected = delta0[i] * Activation.relu.derivative(z[i])
            #expect(delta[i].bitPattern == expected.bitPattern || delta[i].isNaN && expected.isNaN, "entry \(i)")
        }
    }

    /// Runs `optimizer` over a tensor both ways for three steps and compares bit for bit.
    func compareTensorRule<O: Optimizer>(_ optimizer: O, decay: Bool) {
        let count = 37, slots = O.State.slotNames.count
        let gradients = (1...3).map { Self.values(count, seed: UInt64(10 + $0)).map { $0.isFinite ? $0 : 0.5 } }
        var tensorParameters = Self.values(count, seed: 5).map { $0.isFinite ? $0 : 0.25 }
        var scalarParameters = tensorParameters
        var tensorStates = [Float](repeating: 0, count: max(slots * count, 1))
        var scalarStates = tensorStates
        for t in 1...3 {
            var step = OptimizationStep(learningRate: 0.1, count: t, weightDecayApplies: decay)
            optimizer.prepare(&step)
            gradients[t - 1].withUnsafeBufferPointer { g in
                tensorParameters.withUnsafeMutableBufferPointer { p in
                    tensorStates.withUnsafeMutableBufferPointer { s in
                        optimizer.update(parameters: p, gradients: g.baseAddress!, states: s.baseAddress!, step: step)
                    }
                }
            }
            scalarStates.withUnsafeMutableBufferPointer { s in
                for i in 0..<count {
                    let (w, state) = optimizer.update(gradient: gradients[t - 1][i], parameter: scalarParameters[i],
                                                      state: O.State(from: s.baseAddress!, index: i, stride: count), step: step)
                    scalarParameters[i] = w
                    state.store(to: s.baseAddress!, index: i, stride: count)
                }
            }
        }
        #expect(tensorParameters.map(\.bitPattern) == scalarParameters.map(\.bitPattern), "\(optimizer), decay \(decay)")
        #expect(tensorStates.map(\.bitPattern) == scalarStates.map(\.bitPattern), "\(optimizer), decay \(decay)")
    }

    @Test("each rule's tensor update equals its scalar rule", arguments: [false, true])
    func tensorRules(decay: Bool) throws {
        compareTensorRule(try SGD(learningRate: 0.1), decay: decay)
        compareTensorRule(try SGD(learningRate: 0.1, weightDecay: 0.01), decay: decay)
        compareTensorRule(try Momentum(learningRate: 0.1, weightDecay: 0.01), decay: decay)
        compareTensorRule(try Momentum(learningRate: 0.1, nesterov: true), decay: decay)
        compareTensorRule(try RMSProp(learningRate: 0.1), decay: decay)
        compareTensorRule(try Adam(learningRate: 0.1, weightDecay: 0.01), decay: decay)
        compareTensorRule(try Adam(learningRate: 0.1, weightDecay: 0.01, decoupledWeightDecay: true), decay: decay)
    }

    @Test("SGD split over threads gives the single-threaded result", arguments: [1, 2, 3])
    func sgdOverThreads(threads: Int) throws {
        let count = (1 << 16) + 37
        let gradients = Self.values(count, seed: 21).map { $0.isFinite ? $0 : 0.5 }
        let start = Self.values(count, seed: 22).map { $0.isFinite ? $0 : 0.25 }
        for sgd in [try SGD(learningRate: 0.1), try SGD(learningRate: 0.1, weightDecay: 0.01)] {
            var split = start, whole = start
            var step = OptimizationStep(learningRate: 0.1, count: 1)
            var state: Float = 0
            gradients.withUnsafeBufferPointer { g in
                step.threads = threads
                split.withUnsafeMutableBufferPointer { sgd.update(parameters: $0, gradients: g.baseAddress!, states: &state, step: step) }
                step.threads = 1
                whole.withUnsafeMutableBufferPointer { sgd.update(parameters: $0, gradients: g.baseAddress!, states: &state, step: step) }
            }
            #expect(split.map(\.bitPattern) == whole.map(\.bitPattern))
            #expect(whole[5] == start[5] - 0.1 * (gradients[5] + sgd.weightDecay * start[5]))
        }
    }

    @Test("Adam, L2 and decoupled (AdamW), split over threads give the single-threaded result, moments included", arguments: [2, 3])
    func adamOverThreads(threads: Int) throws {
        let count = (1 << 16) + 37
        let gradients = Self.values(count, seed: 23).map { $0.isFinite ? $0 : 0.5 }
        let start = Self.values(count, seed: 24).map { $0.isFinite ? $0 : 0.25 }
        func run<O: Optimizer>(_ optimizer: O, threads: Int) -> (parameters: [Float], states: [Float]) {
            var parameters = start
            var states = [Float](repeating: 0, count: 2 * count)
            for t in 1...2 {
                var step = OptimizationStep(learningRate: 0.01, count: t)
                optimizer.prepare(&step)
                step.threads = threads
                gradients.withUnsafeBufferPointer { g in
                    parameters.withUnsafeMutableBufferPointer { p in
                        states.withUnsafeMutableBufferPointer { optimizer.update(parameters: p, gradients: g.baseAddress!, states: $0.baseAddress!, step: step) }
                    }
                }
            }
            return (parameters, states)
        }
        for (split, whole) in [(run(try Adam(weightDecay: 0.01), threads: threads), run(try Adam(weightDecay: 0.01), threads: 1)),
                               (run(try OptimizerTests.adamW(), threads: threads), run(try OptimizerTests.adamW(), threads: 1))] {
            #expect(split.parameters.map(\.bitPattern) == whole.parameters.map(\.bitPattern))
            #expect(split.states.map(\.bitPattern) == whole.states.map(\.bitPattern))
            #expect(split.parameters != start)
        }
    }

    @Test("predict into a kept workspace equals predict, in batches of the workspace's capacity")
    func predictIntoWorkspace() throws {
        let network = try Network(sizes: [9, 7, 3], hiddenActivation: .relu, outputActivation: .softmax,
                                  loss: .crossEntropy, initializer: .heNormal, seed: 3)
        let inputs = randomMatrix(rows: 11, columns: 9, seed: 4)
        let backend = ReferenceBackend()
        let expected = try network.predict(inputs, backend: backend)
        var result = Matrix(rows: 11, columns: 3)
        try network.predict(inputs, into: &result, workspace: Workspace(for: network, capacity: 4), backend: backend)
        #expect(result == expected)
    }
}
