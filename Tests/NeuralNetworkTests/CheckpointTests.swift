import Foundation
import LinearAlgebra
import Testing
@testable import NeuralNetwork

/// ``Trainer/resume(from:)`` and ``Checkpoint`` files: a run stopped after any epoch and
/// resumed, through a checkpoint on disk, ends bit-identical to the run never stopped.
@Suite("Checkpoints")
struct TrainerCheckpointTests {
    // Computed, not stored: LeakSanitizer cannot see the arrays inside a static enum payload
    // (`Dataset.Features`, `Layer`), whose pointer bits share space with the case tag, and
    // would report them as leaked at exit.
    static var data: Dataset {
        regressionDataset(randomMatrix(rows: 45, columns: 3, seed: 31), oneHotTargets(rows: 45, classes: 3, seed: 32))
    }
    static var network: Network {
        try! Network(sizes: [3, 6, 3], hiddenActivation: .tanh, outputActivation: .softmax, loss: .crossEntropy, seed: 33)
    }

    /// The bytes of a network's model file: equality of these is equality of every bit.
    static func bits(_ network: Network) -> [UInt8] { network.safeTensors.serialized() }

    static func trainer<O: Optimizer>(_ optimizer: O, shuffle: Bool = true, epochs: Int = 5) throws -> Trainer<O> {
        try Trainer(network: network, optimizer: optimizer, backend: SwiftBackend(),
                    options: TrainingOptions(batchSize: 8, epochs: epochs, shuffle: shuffle, seed: 9, validationFraction: 0.2,
                                             schedule: .stepDecay(factor: 0.5, everyEpochs: 2)))
    }

    @Test("stop after epoch k, write, read, resume: bit-identical to an uninterrupted run",
          arguments: 0..<6, [true, false])
    func resumeThroughFilesIsExact(rule: Int, shuffle: Bool) throws {
        try resume(try OptimizerTests.everyRule(learningRate: 0.05, weightDecay: 0.01)[rule], shuffle: shuffle)
    }

    private func resume<O: Optimizer>(_ optimizer: O, shuffle: Bool) throws {
        let whole = try Self.trainer(optimizer, shuffle: shuffle)
        let wholeHistory = try whole.train(on: Self.data)

        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for k in [1, 3] {
            let first = try Self.trainer(optimizer, shuffle: shuffle)
            try first.train(on: Self.data, onEpoch: { report in
                try! Checkpoint(state: first.state(afterEpoch: report.epoch), settings: ["k": "\(k)"]).write(toFolder: folder.path)
                if report.epoch == k { first.stopRequested = true }
            })
            let checkpoint = try Checkpoint(contentsOfFolder: folder.path)
            #expect(checkpoint.state == first.state(afterEpoch: k))
            #expect(checkpoint.settings == ["k": "\(k)"])

            let second = try Self.trainer(optimizer, shuffle: shuffle)
            try second.resume(from: checkpoint.state)
            let history = try second.train(on: Self.data)
            #expect(history.epochs.map(\.epoch) == Array((k + 1)...5))
            #expect(history.epochs.map(\.trainingLoss) == wholeHistory.epochs.suffix(5 - k).map(\.trainingLoss))
            #expect(Self.bits(second.network) == Self.bits(whole.network), "\(optimizer) resumed after epoch \(k)")
            #expect(second.memory == whole.memory)
            try FileManager.default.removeItem(at: folder)
        }
    }

    @Test func aCrashDuringAWriteLeavesTheLatestCheckpoint() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = try Self.trainer(try Adam(learningRate: 0.01), epochs: 2)
        var states: [TrainingState] = []
        try trainer.train(on: Self.data, onEpoch: { states.append(trainer.state(afterEpoch: $0.epoch)) })
        try Checkpoint(state: states[0], settings: [:]).write(toFolder: folder.path)

        // A writer killed half-way through epoch 2: a partial folder with a truncated model.
        let partial = folder.appendingPathComponent(".epoch-2.partial")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: false)
        try Data(Self.bits(states[1].network).prefix(100)).write(to: partial.appendingPathComponent("model.safetensors"))
        #expect(try Checkpoint(contentsOfFolder: folder.path).state == states[0])

        // Killed after the rename but before the link switched: epoch-2 complete, latest still epoch-1.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("epoch-2"), withIntermediateDirectories: false)
        #expect(try Checkpoint(contentsOfFolder: folder.path).state == states[0])

        // The next write cleans up and publishes.
        try Checkpoint(state: states[1], settings: [:]).write(toFolder: folder.path)
        #expect(try Checkpoint(contentsOfFolder: folder.path).state == states[1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["epoch-2", "latest"])
    }

    /// Checkpoints `mlp` wrote before Adam/AdamW and Momentum/Nesterov were one type each (see
    /// Tests/MLPToolTests/Fixtures/old-checkpoints): their manifests read, their settings name
    /// the rules as the merged types describe themselves, and a trainer takes their state.
    @Test func checkpointsOfThePreviousFormatRead() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("MLPToolTests/Fixtures/old-checkpoints")
        let adamW = try Checkpoint(contentsOfFolder: fixtures.appendingPathComponent("adamw").path)
        let rule = try Adam(weightDecay: Adam.defaultDecoupledWeightDecay, decoupledWeightDecay: true)
        #expect(adamW.state.epoch == 2 && adamW.settings["optimizer"] == rule.description)
        #expect(adamW.settings["schedule"] == LearningRateSchedule.stepDecay(factor: 0.5, everyEpochs: 1).description)
        let trainer = try Trainer(network: adamW.state.network, optimizer: rule, backend: ReferenceBackend())
        try trainer.resume(from: adamW.state)
        #expect(trainer.memory.slotNames == ["mean", "variance"] && trainer.memory.step == adamW.state.memory.step)

        let nesterov = try Checkpoint(contentsOfFolder: fixtures.appendingPathComponent("nesterov").path)
        let nesterovRule = try Momentum(nesterov: true)
        #expect(nesterov.state.epoch == 3 && nesterov.settings["optimizer"] == nesterovRule.description)
        #expect(nesterov.settings["schedule"] == LearningRateSchedule.cosine(epochs: 3).description)
        try Trainer(network: nesterov.state.network, optimizer: nesterovRule, backend: ReferenceBackend())
            .resume(from: nesterov.state)
    }

    @Test func rewritingTheLatestEpochNeverTouchesTheLatestFolder() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = try Self.trainer(try Adam(learningRate: 0.01), epochs: 1)
        try trainer.train(on: Self.data)
        let state = trainer.state(afterEpoch: 1)
        try Checkpoint(state: state, settings: ["run": "first"]).write(toFolder: folder.path)
        try Checkpoint(state: state, settings: ["run": "second"]).write(toFolder: folder.path)
        #expect(try Checkpoint(contentsOfFolder: folder.path).settings == ["run": "second"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.path + "/latest") == "epoch-1-b")
        try Checkpoint(state: state, settings: ["run": "third"]).write(toFolder: folder.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["epoch-1", "latest"])
    }

    @Test func damagedCheckpointsAreErrorsNamingTheFile() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = try Self.trainer(try Adam(learningRate: 0.01), epochs: 1)
        try trainer.train(on: Self.data)
        try Checkpoint(state: trainer.state(afterEpoch: 1), settings: [:]).write(toFolder: folder.path)
        let manifest = folder.appendingPathComponent("epoch-1/manifest.json")
        let good = try Data(contentsOf: manifest)

        try Data(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "\"version\":1", with: "\"version\":9").utf8).write(to: manifest)
        #expect(throws: CheckpointError(path: manifest.path, problem: "expected \"version\": 1")) {
            try Checkpoint(contentsOfFolder: folder.path)
        }
        try good.write(to: manifest)
        let optimizerFile = folder.appendingPathComponent("epoch-1/optimizer.safetensors")
        var file = try SafeTensors(contentsOfFile: optimizerFile.path)
        file.tensors["layers.0.weight"] = SafeTensors.Tensor(shape: [2, 6, 2], values: [Float](repeating: 0, count: 24))
        try file.save(toFile: optimizerFile.path)
        #expect(throws: CheckpointError(path: optimizerFile.path, problem: "tensor 'layers.0.weight' has shape [2, 6, 2], the model needs [2, 6, 3]")) {
            try Checkpoint(contentsOfFolder: folder.path)
        }
        #expect(throws: CheckpointError.self) { try Checkpoint(contentsOfFolder: folder.appendingPathComponent("none").path) }
    }

    @Test func resumeRefusesAnotherNetworkRuleOrSeed() throws {
        let adam = try Self.trainer(try Adam(learningRate: 0.01), epochs: 2)
        try adam.train(on: Self.data)
        let state = adam.state(afterEpoch: 2)

        let momentum = try Self.trainer(try Momentum(learningRate: 0.01))
        #expect(throws: TrainingError.self) { try momentum.resume(from: state) }

        let other = try Trainer(network: try Network(sizes: [3, 7, 3], hiddenActivation: .tanh, outputActivation: .softmax,
                                                     loss: .crossEntropy, seed: 1),
                                optimizer: try Adam(learningRate: 0.01), backend: SwiftBackend())
        #expect(throws: TrainingError.self) { try other.resume(from: state) }

        // Same rule and network, another shuffling seed: the replayed shuffles do not end in the
        // checkpoint's generator state, and training refuses to start.
        let reseeded = try Trainer(network: Self.network, optimizer: try Adam(learningRate: 0.01), backend: SwiftBackend(),
                                   options: TrainingOptions(batchSize: 8, epochs: 5, seed: 10, validationFraction: 0.2))
        try reseeded.resume(from: state)
        #expect(throws: TrainingError.self) { try reseeded.train(on: Self.data) }
    }
}

/// A fresh temporary folder for one test.
func makeTemporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftmlp-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
