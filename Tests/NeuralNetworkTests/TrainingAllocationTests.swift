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
@Suite struct TrainingAllocationTests {
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
}
