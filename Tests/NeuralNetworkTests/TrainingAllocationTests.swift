import LinearAlgebra
import MallocCounter
@testable import NeuralNetwork
import Testing

/// Training steps after the first of a batch size allocate nothing on the heap (the workspace,
/// the GEMM packing buffers and the optimizer state are all reused).
///
/// Counted with MallocCounter (this test binary's malloc & co. count themselves) on the test's
/// own thread, so tests running in parallel do not disturb the count; the backends run on
/// one thread here. `mlp-bench train` checks the same in release builds on every backend and
/// thread count, counting all threads.
///
/// Release builds only (`swift test -c release --filter TrainingAllocationTests`): a debug
/// build allocates in unspecialised generic code and unpromoted closure contexts (measured: 9
/// allocations per step with the reference backend, 17 with the Swift one), none of which
/// survives optimisation.
@Suite(.enabled(if: mallocCounterIsSupported() != 0, "the allocation counter needs glibc (and no sanitizer)"))
struct TrainingAllocationTests {
    #if DEBUG
    static let optimised = false
    #else
    static let optimised = true
    #endif

    @Test("no allocation in training steps after the first of a batch size (release builds)",
          .enabled(if: optimised, "a debug build allocates in unspecialised generic code"),
          arguments: ["swift", "reference"])
    func stepsAllocateNothing(backendName: String) throws {
        try #require(mallocCounterIsActive() != 0, "the allocation counter is not the process's malloc")
        let backend = try BackendKind(rawValue: backendName)!.make(threads: 1)
        let network = try Network(sizes: [20, 16, 8, 4], hiddenActivation: .relu, outputActivation: .softmax,
                                  loss: .crossEntropy, initializer: .heNormal, seed: 1)
        let inputs = randomMatrix(rows: 12, columns: 20, seed: 2)
        let targets = oneHotTargets(rows: 12, classes: 4, seed: 3)
        let sgd = try Trainer(network: network, optimizer: SGD(learningRate: 0.1), backend: backend,
                              options: TrainingOptions(batchSize: 12))
        let adam = try Trainer(network: network, optimizer: Adam(), backend: backend, options: TrainingOptions(batchSize: 12))
        for _ in 0..<2 {
            try sgd.step(inputs: inputs, targets: targets)
            try adam.step(inputs: inputs, targets: targets)
        }
        let before = mallocCounterThreadAllocations()
        for _ in 0..<20 {
            try sgd.step(inputs: inputs, targets: targets)
            try adam.step(inputs: inputs, targets: targets)
        }
        let allocations = mallocCounterThreadAllocations() - before
        #expect(allocations == 0, "\(allocations) allocations in 40 steps with \(backendName)")
    }

    @Test("no allocation with Dropout, BatchNorm, LayerNorm and an activation layer either (release builds)",
          .enabled(if: optimised, "a debug build allocates in unspecialised generic code"),
          arguments: ["swift", "reference"])
    func stepsWithNewLayersAllocateNothing(backendName: String) throws {
        try #require(mallocCounterIsActive() != 0, "the allocation counter is not the process's malloc")
        let backend = try BackendKind(rawValue: backendName)!.make(threads: 1)
        var generator = SeededGenerator(seed: 1)
        let network = try Network(layers: [
            Dense(inputSize: 20, outputSize: 16, activation: .identity, initializer: .heNormal, generator: &generator),
            BatchNorm(size: 16), ActivationLayer(size: 16, activation: .relu), Dropout(size: 16, probability: 0.2),
            Dense(inputSize: 16, outputSize: 8, activation: .identity, initializer: .heNormal, generator: &generator),
            LayerNorm(size: 8), ActivationLayer(size: 8, activation: .tanh),
            Dense(inputSize: 8, outputSize: 4, activation: .softmax, initializer: .heNormal, generator: &generator),
        ], loss: .crossEntropy)
        let inputs = randomMatrix(rows: 12, columns: 20, seed: 2)
        let targets = oneHotTargets(rows: 12, classes: 4, seed: 3)
        let adam = try Trainer(network: network, optimizer: Adam(), backend: backend, options: TrainingOptions(batchSize: 12))
        for _ in 0..<2 { try adam.step(inputs: inputs, targets: targets) }
        let before = mallocCounterThreadAllocations()
        for _ in 0..<20 { try adam.step(inputs: inputs, targets: targets) }
        let allocations = mallocCounterThreadAllocations() - before
        #expect(allocations == 0, "\(allocations) allocations in 20 steps with \(backendName)")
    }

    @Test("no allocation on 2 threads either, with tensors large enough to be split (release builds)",
          .enabled(if: optimised, "a debug build allocates in unspecialised generic code"),
          arguments: BackendKind.allCases.filter { $0.isAvailable && $0 != .reference })
    func threadedStepsAllocateNothing(kind: BackendKind) throws {
        try #require(mallocCounterIsActive() != 0, "the allocation counter is not the process's malloc")
        let backend = try kind.make(threads: 2)
        // 300 x 256 = 76,800 weights: above the 2^16 from which the optimizer updates are split,
        // and batch 64 makes every pass above its threshold, so all the threaded paths run.
        let network = try Network(sizes: [300, 256, 10], hiddenActivation: .relu, outputActivation: .softmax,
                                  loss: .crossEntropy, initializer: .heNormal, seed: 1)
        let inputs = randomMatrix(rows: 64, columns: 300, seed: 2)
        let targets = oneHotTargets(rows: 64, classes: 10, seed: 3)
        let sgd = try Trainer(network: network, optimizer: SGD(learningRate: 0.1), backend: backend,
                              options: TrainingOptions(batchSize: 64))
        let adam = try Trainer(network: network, optimizer: Adam(), backend: backend, options: TrainingOptions(batchSize: 64))
        let adamW = try Trainer(network: network, optimizer: OptimizerTests.adamW(), backend: backend, options: TrainingOptions(batchSize: 64))
        // Two rounds to warm up, then ten counted.
        var before = mallocCounterThreadAllocations()
        for round in 0..<12 {
            if round == 2 { before = mallocCounterThreadAllocations() }
            try sgd.step(inputs: inputs, targets: targets)
            try adam.step(inputs: inputs, targets: targets)
            try adamW.step(inputs: inputs, targets: targets)
        }
        let allocations = mallocCounterThreadAllocations() - before
        #expect(allocations == 0, "\(allocations) allocations in 30 steps with \(kind) on 2 threads")
    }
}

