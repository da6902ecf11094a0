import Testing
@testable import NeuralNetwork

@Suite("Trainer")
struct TrainerTests {
    static let xorInputs = Matrix([[0, 0], [0, 1], [1, 0], [1, 1]])
    static let xorTargets = Matrix([[0], [1], [1], [0]])

    @Test("XOR is learned by a 2-4-1 network (seeded, deterministic)", arguments: compiledBackends.map(\.name))
    func learnsXOR(backendName: String) throws {
        let backend = try BackendKind(rawValue: backendName)!.make()
        let network = try Network(sizes: [2, 4, 1], hiddenActivation: .tanh, outputActivation: .sigmoid,
                                  loss: .binaryCrossEntropy, initializer: .xavierNormal, seed: 7)
        let trainer = try Trainer(network: network, optimizer: try Adam(learningRate: 0.05), backend: backend,
                                  options: TrainingOptions(batchSize: 4, epochs: 400, shuffle: false))
        let history = try trainer.train(on: regressionDataset(Self.xorInputs, Self.xorTargets))
        let output = try trainer.network.predict(Self.xorInputs, backend: backend)
        #expect(output.elements.map { $0 >= 0.5 ? 1 : 0 } == [0, 1, 1, 0], "\(output)")
        #expect(history.epochs.last!.trainingAccuracy == 1 && history.epochs.last!.trainingLoss < 0.05)
    }

    @Test func theSameSeedGivesTheSameRunAndShufflingChangesIt() throws {
        let x = randomMatrix(rows: 30, columns: 3, seed: 1)
        let data = regressionDataset(x, oneHotTargets(rows: 30, classes: 2, seed: 2))
        let network = try Network(sizes: [3, 5, 2], hiddenActivation: .relu, outputActivation: .softmax, loss: .crossEntropy, seed: 3)
        func run(shuffle: Bool, seed: UInt64) throws -> Network {
            let trainer = try Trainer(network: network, optimizer: try Momentum(learningRate: 0.05), backend: SwiftBackend(),
                                      options: TrainingOptions(batchSize: 7, epochs: 3, shuffle: shuffle, seed: seed))
            try trainer.train(on: data)
            return trainer.network
        }
        #expect(try run(shuffle: true, seed: 5) == run(shuffle: true, seed: 5))
        #expect(try run(shuffle: true, seed: 5) != run(shuffle: true, seed: 6))
        #expect(try run(shuffle: false, seed: 5) == run(shuffle: false, seed: 6))
    }

    /// Both fast backends (and the reference) follow the same training trajectory within Float tolerance.
    @Test func backendsFollowTheSameTrajectory() throws {
        let x = randomMatrix(rows: 64, columns: 10, seed: 21)
        let data = regressionDataset(x, oneHotTargets(rows: 64, classes: 4, seed: 22))
        let network = try Network(sizes: [10, 16, 8, 4], hiddenActivation: .tanh, outputActivation: .softmax,
                                  loss: .crossEntropy, initializer: .xavierUniform, seed: 23)
        var results: [(String, Network, [Double])] = []
        for backend in compiledBackends {
            let trainer = try Trainer(network: network, optimizer: try SGD(learningRate: 0.1), backend: backend,
                                      options: TrainingOptions(batchSize: 16, epochs: 5, seed: 24))
            let history = try trainer.train(on: data)
            results.append((backend.name, trainer.network, history.epochs.map(\.trainingLoss)))
        }
        let (_, reference, referenceLosses) = results[0]
        for (name, trained, losses) in results.dropFirst() {
            var worst = 0.0
            for l in trained.layers.indices {
                let difference = maxRelativeDifference(trained.layers[l].weights, reference.layers[l].weights)
                #expect(difference < 1e-4, "\(name) layer \(l)")
                worst = max(worst, difference)
            }
            print("trajectory \(name) vs reference after 20 steps: weights differ by at most \(worst) (normwise relative)")
            #expect(zip(losses, referenceLosses).allSatisfy { abs($0 - $1) < 1e-4 * $1 }, "\(name): \(losses) vs \(referenceLosses)")
        }
        #expect(referenceLosses.last! < referenceLosses.first!)
    }

    @Test func aDivergingLossStopsWithEpochAndBatch() throws {
        let x = randomMatrix(rows: 20, columns: 2, seed: 1, sigma: 10)
        let data = regressionDataset(x, randomMatrix(rows: 20, columns: 1, seed: 2))
        let network = try Network(sizes: [2, 8, 1], hiddenActivation: .relu, outputActivation: .identity, loss: .quadratic, seed: 1)
        let trainer = try Trainer(network: network, optimizer: try SGD(learningRate: 1e6), backend: ReferenceBackend(),
                                  options: TrainingOptions(batchSize: 5, epochs: 3, shuffle: false))
        do {
            try trainer.train(on: data)
            Issue.record("training should have stopped")
        } catch {
            guard case .nonFiniteLoss(let epoch, let batch, let loss) = error else { Issue.record("\(error)"); return }
            #expect(!loss.isFinite && epoch >= 1 && batch >= 2)
            #expect(error.description.contains("epoch \(epoch), batch \(batch)"))
        }
    }

    @Test func batchesValidationAndEarlyStopping() throws {
        let data = regressionDataset(randomMatrix(rows: 25, columns: 2, seed: 1), oneHotTargets(rows: 25, classes: 3, seed: 2))
        let network = try Network(sizes: [2, 3], hiddenActivation: .identity, outputActivation: .softmax, loss: .crossEntropy, seed: 1)
        // Learning rate 0: the loss never improves, so patience 2 stops after epoch 3.
        let trainer = try Trainer(network: network, optimizer: try SGD(learningRate: 0), backend: ReferenceBackend(),
                                  options: TrainingOptions(batchSize: 8, epochs: 10, validationFraction: 0.2, patience: 2))
        var batches: [BatchReport] = []
        let history = try trainer.train(on: data, onBatch: { batches.append($0) })
        #expect(history.stoppedEarly && history.epochs.count == 3 && history.bestEpoch == 1)
        // 20 training samples in batches of 8: 8, 8, 4 (the last smaller batch is used).
        #expect(batches.prefix(3).map(\.samples) == [8, 8, 4] && batches.allSatisfy { $0.batchCount == 3 })
        #expect(history.epochs[0].validation?.count == 5 && history.epochs[0].validation?.accuracy != nil)
        #expect(batches.allSatisfy { $0.loss.isFinite && $0.samplesPerSecond > 0 })
    }

    @Test func optionsAndDataAreChecked() throws {
        let network = try Network(sizes: [2, 3], hiddenActivation: .identity, outputActivation: .softmax, loss: .crossEntropy, seed: 1)
        #expect(throws: TrainingError.invalidOption(name: "batchSize", value: "0", expected: "at least 1")) {
            try Trainer(network: network, optimizer: try SGD(), backend: ReferenceBackend(), options: TrainingOptions(batchSize: 0))
        }
        #expect(throws: TrainingError.self) {
            try Trainer(network: network, optimizer: try SGD(), backend: ReferenceBackend(), options: TrainingOptions(validationFraction: 1))
        }
        let trainer = try Trainer(network: network, optimizer: try SGD(), backend: ReferenceBackend())
        let wrong = regressionDataset(randomMatrix(rows: 4, columns: 3, seed: 1), oneHotTargets(rows: 4, classes: 3, seed: 1))
        #expect(throws: TrainingError.network(.dataShape(what: "data set features", expected: 2, got: 3))) { try trainer.train(on: wrong) }
    }

    @Test func evaluationOverClassLabels() throws {
        let network = try Network(layers: [.dense(try Dense(weights: Matrix([[1, 0], [0, 1]]), bias: [0, 0], activation: .softmax))],
                                  loss: .crossEntropy)
        let data = try Dataset(count: 4, featureCount: 2, features: .floats([2, 0, 0, 2, 3, 1, 1, 3]),
                           targets: .classes([0, 1, 1, 1], classCount: 2))
        let evaluation = try network.evaluate(data, batchSize: 3, backend: ReferenceBackend())
        #expect(evaluation.count == 4 && evaluation.accuracy == 0.75)
    }
}

@Suite("Steps in place")
struct InPlaceTests {
    static func address(_ m: Matrix) -> UnsafeRawPointer? { m.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
    static func address(_ a: [Float]) -> UnsafeRawPointer? { a.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }

    /// A copy-on-write copy would move the parameter arena (or the optimizer state) to a new buffer;
    /// after the first step, a step must update both where they are.
    @Test func aStepUpdatesParametersAndStateWhereTheyAre() throws {
        let network = try Network(sizes: [3, 4, 2], hiddenActivation: .relu, outputActivation: .softmax, loss: .crossEntropy, seed: 1)
        let trainer = try Trainer(network: network, optimizer: try Adam(), backend: SwiftBackend(),
                                  options: TrainingOptions(batchSize: 5, epochs: 2))
        let x = randomMatrix(rows: 5, columns: 3, seed: 1), y = oneHotTargets(rows: 5, classes: 2, seed: 2)
        try trainer.step(inputs: x, targets: y)  // the first step may copy (the caller still holds `network`)
        let arena = Self.address(trainer.network.arena.values)
        let states = trainer.memory.tensors.map { Self.address($0) }
        let before = trainer.network.arena.values.map { $0 }  // a copy, not a share
        try trainer.step(inputs: x, targets: y)
        #expect(trainer.network.arena.values != before)
        #expect(Self.address(trainer.network.arena.values) == arena)
        #expect(trainer.memory.tensors.map { Self.address($0) } == states)
    }
}
