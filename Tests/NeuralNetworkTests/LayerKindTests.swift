import Testing
@testable import NeuralNetwork

/// The layer kinds beyond Dense and Maxout: gradient checks inside whole networks (central
/// differences in Double, every output/loss pair, every compiled backend), Dropout's statistics
/// and phases, BatchNorm's running statistics against a direct computation.
@Suite("Layer kinds")
struct LayerKindTests {
    /// A hidden block of each kind, between a Dense layer without activation (3 -> 5) and the
    /// head. BatchNorm follows an activation: right after the Dense layer it would make that
    /// layer's bias irrelevant (a zero gradient, whose relative error means nothing).
    static let blocks: [(name: String, layers: [any Layer])] = [
        ("batch-norm", [ActivationLayer(size: 5, activation: .tanh), BatchNorm(size: 5)]),
        ("layer-norm", [LayerNorm(size: 5), ActivationLayer(size: 5, activation: .tanh)]),
        ("dropout", [ActivationLayer(size: 5, activation: .tanh), Dropout(size: 5, probability: 0.4)]),
        ("activation", [ActivationLayer(size: 5, activation: .sigmoid)]),
        ("all", [ActivationLayer(size: 5, activation: .sigmoid), BatchNorm(size: 5), ActivationLayer(size: 5, activation: .elu(alpha: 1)),
                 Dropout(size: 5, probability: 0.3), LayerNorm(size: 5)]),
    ]

    /// `layers` with non-trivial values drawn from `seed` (gamma, beta and running statistics too).
    static func network(_ middle: [any Layer], head: Activation, loss: Loss, seed: UInt64) throws -> Network {
        var generator = SeededGenerator(seed: seed)
        let first = Dense(inputSize: 3, outputSize: 5, activation: .identity, initializer: .normal(standardDeviation: 0.8),
                          biasInitializer: .normal(standardDeviation: 0.2), generator: &generator)
        let last = Dense(inputSize: 5, outputSize: 3, activation: head, initializer: .normal(standardDeviation: 0.8),
                         biasInitializer: .normal(standardDeviation: 0.2), generator: &generator)
        var network = try Network(layers: [first] + middle + [last], loss: loss)
        for entry in network.arena.entries where entry.layer > 0 && entry.layer <= middle.count {
            for i in entry.range {
                let draw = Float(generator.nextNormal())
                network.arena.values[i] = entry.declaration.name == "running_var" ? 0.5 + draw * draw
                    : entry.declaration.name == "weight" ? 1 + 0.3 * draw : 0.3 * draw
            }
        }
        return network
    }

    @Test("gradient check of every layer kind inside whole networks, every head, every backend", arguments: blocks.map(\.name))
    func gradientCheck(name: String) throws {
        let middle = Self.blocks.first { $0.name == name }!.layers
        var worst = 0.0
        for (head, loss) in GradientCheckTests.heads {
            let network = try Self.network(middle, head: head, loss: loss, seed: 7)
            let x = randomMatrix(rows: 6, columns: 3, seed: 31)
            let y = GradientCheckTests.targets(for: loss, activation: head, rows: 6, columns: 3, seed: 32)
            for backend in compiledBackends {
                let report = try GradientCheck.check(network, inputs: x, targets: y, backend: backend,
                                                     random: RandomStream(seed: 9, step: 3))
                #expect(report.worst < 1e-4, "\(name) -> \(head)/\(loss) on \(backend.name): \(report)")
                worst = max(worst, report.worst)
                // Every trainable tensor was checked, the normalisation's gamma and beta included.
                #expect(report.layers.map(\.tensors.count) == network.kinds.map { $0.tensors.filter(\.isTrainable).count })
            }
        }
        print("gradient check \(name): worst relative error \(worst)")
    }

    @Test("the Double reference and the compiled forward pass agree, in both phases")
    func referenceForwardAgrees() throws {
        let network = try Self.network(Self.blocks.last!.layers, head: .softmax, loss: .crossEntropy, seed: 8)
        let x = randomMatrix(rows: 9, columns: 3, seed: 1), y = oneHotTargets(rows: 9, classes: 3, seed: 2)
        let random = RandomStream(seed: 4, step: 2)
        let trace = try network.backpropagationTrace(inputs: x, targets: y, backend: ReferenceBackend(), random: random)
        let training = GradientCheck.outputs(network, inputs: x, phase: .training, random: random).flatMap { $0 }
        #expect(relativeDifference(trace.output.elements, training) < 1e-5)
        let inference = GradientCheck.outputs(network, inputs: x, phase: .inference).flatMap { $0 }
        #expect(relativeDifference(try network.predict(x, backend: ReferenceBackend()).elements, inference) < 1e-5)
    }

    @Test("Dropout keeps 1 - p of its inputs, scaled so the mean is kept; inference is the identity")
    func dropoutStatistics() throws {
        let width = 1000, rows = 20, count = Double(width * rows)
        for p in [Float(0.1), 0.5, 0.8] {
            let network = try Network(layers: [Dropout(size: width, probability: p)], loss: .quadratic)
            let x = Matrix(rows: rows, columns: width, elements: [Float](repeating: 2, count: width * rows))
            let trace = try network.backpropagationTrace(inputs: x, targets: x, backend: ReferenceBackend(),
                                                         random: RandomStream(seed: 11, step: 1))
            let kept = Double(trace.output.elements.filter { $0 != 0 }.count)
            // Binomial: the kept count has mean N(1 - p) and standard deviation sqrt(N p (1 - p)).
            let q = 1 - Double(p), sd = (count * Double(p) * q).squareRoot()
            #expect(abs(kept - count * q) < 5 * sd, "p \(p): kept \(kept) of \(count)")
            #expect(trace.output.elements.allSatisfy { $0 == 0 || abs(Double($0) - 2 / q) < 1e-5 })
            let mean = trace.output.elements.reduce(0.0) { $0 + Double($1) } / count
            #expect(abs(mean - 2) < 5 * sd / count * 2 / q, "p \(p): mean \(mean)")
            #expect(try network.predict(x, backend: ReferenceBackend()) == x)
            // Another step, another mask; the same step, the same mask.
            let again = try network.backpropagationTrace(inputs: x, targets: x, backend: ReferenceBackend(), random: RandomStream(seed: 11, step: 1))
            let next = try network.backpropagationTrace(inputs: x, targets: x, backend: ReferenceBackend(), random: RandomStream(seed: 11, step: 2))
            #expect(again.output == trace.output && next.output != trace.output)
        }
    }

    @Test("BatchNorm: running mean and unbiased variance with momentum 0.1 after a training step; inference uses them")
    func batchNormRunningStatistics() throws {
        let network = try Network(layers: [BatchNorm(size: 4)], loss: .quadratic)
        let x = randomMatrix(rows: 8, columns: 4, seed: 3, sigma: 2)
        let trainer = try Trainer(network: network, optimizer: SGD(learningRate: 0), backend: ReferenceBackend(),
                                  options: TrainingOptions(batchSize: 8))
        try trainer.step(inputs: x, targets: x)
        let trained = trainer.network
        for j in 0..<4 {
            let column = (0..<8).map { Double(x[$0, j]) }
            let mean = column.reduce(0, +) / 8
            let unbiased = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 7
            #expect(abs(Double(trained.tensor(layer: 0, named: "running_mean")![j]) - 0.1 * mean) < 1e-6)
            #expect(abs(Double(trained.tensor(layer: 0, named: "running_var")![j]) - (0.9 + 0.1 * unbiased)) < 1e-5)
        }
        #expect(trained.tensor(layer: 0, named: "num_batches_tracked") == [1])
        // Inference: (x - running mean) / sqrt(running var + eps), gamma 1 and beta 0.
        let output = try trained.predict(x, backend: ReferenceBackend())
        let runningMean = trained.tensor(layer: 0, named: "running_mean")!, runningVar = trained.tensor(layer: 0, named: "running_var")!
        for s in 0..<8 {
            for j in 0..<4 {
                let expected = (Double(x[s, j]) - Double(runningMean[j])) / (Double(runningVar[j]) + 1e-5).squareRoot()
                #expect(abs(Double(output[s, j]) - expected) < 1e-5)
            }
        }
    }
}
