import Dispatch
import Synchronization
import LinearAlgebra
import Testing
@testable import NeuralNetwork

/// A trained ``Network`` is a `Sendable` value: many threads may run inference on one
/// network at once (each call makes its own ``Workspace``) and get, bit for bit, what one
/// thread gets.
@Suite("Concurrent inference")
struct ConcurrentInferenceTests {
    /// A network trained for a few epochs (so its parameters are not the initial ones), a
    /// Maxout hidden layer included.
    static func trainedNetwork(backend: any GEMMBackend) throws -> Network {
        var generator = SeededGenerator(seed: 41)
        let hidden: any Layer = (Maxout(inputSize: 12, outputSize: 16, pieces: 3, initializer: .heNormal, generator: &generator))
        let output: any Layer = (Dense(inputSize: 16, outputSize: 5, activation: .softmax, initializer: .xavierUniform, generator: &generator))
        let network = try Network(layers: [.dense(Dense(inputSize: 10, outputSize: 12, activation: .relu, initializer: .heNormal, generator: &generator)),
                                           hidden, output], loss: .crossEntropy)
        let data = regressionDataset(randomMatrix(rows: 200, columns: 10, seed: 42), oneHotTargets(rows: 200, classes: 5, seed: 43))
        let trainer = try Trainer(network: network, optimizer: try Adam(learningRate: 0.01), backend: backend,
                                  options: TrainingOptions(batchSize: 32, epochs: 3, seed: 44))
        try trainer.train(on: data)
        return trainer.network
    }

    /// Inputs of different sizes (1 row to several batches) so that calls differ in shape.
    static let inputs: [Matrix] = (0..<8).map { i in randomMatrix(rows: [1, 7, 64, 300, 33, 2, 129, 256][i], columns: 10, seed: 100 + UInt64(i)) }

    @Test("8 concurrent tasks predicting with one network match single-threaded results bitwise",
          arguments: BackendKind.fast, [1, 2])
    func taskGroupMatchesSerial(kind: BackendKind, threads: Int) async throws {
        let backend = try kind.make(threads: threads)
        let network = try Self.trainedNetwork(backend: backend)
        let serial = try Self.inputs.map { try network.predict($0, backend: backend, batchSize: 64) }

        for _ in 0..<3 {
            let concurrent = try await withThrowingTaskGroup(of: (Int, Matrix).self) { group in
                for (index, input) in Self.inputs.enumerated() {
                    group.addTask { (index, try network.predict(input, backend: backend, batchSize: 64)) }
                }
                var results = [Matrix?](repeating: nil, count: Self.inputs.count)
                for try await (index, output) in group { results[index] = output }
                return results.map { $0! }
            }
            for (a, b) in zip(concurrent, serial) {
                #expect(a.elements.map(\.bitPattern) == b.elements.map(\.bitPattern), "\(kind) x\(threads)")
            }
        }
    }

    @Test("DispatchQueue.concurrentPerform: 8 threads classify the same data identically", arguments: BackendKind.fast)
    func concurrentPerformMatchesSerial(kind: BackendKind) throws {
        let backend = try kind.make(threads: 1)
        let network = try Self.trainedNetwork(backend: backend)
        let data = regressionDataset(randomMatrix(rows: 500, columns: 10, seed: 50), oneHotTargets(rows: 500, classes: 5, seed: 51))
        let serialClasses = try network.predictedClasses(for: data, backend: backend, batchSize: 100)
        let serialOutputs = try network.outputs(for: data, backend: backend, batchSize: 100)

        // Each iteration checks its own results against the serial ones (shared, read-only) and
        // counts differences atomically: no lock, whose Mutex ThreadSanitizer cannot see through
        // (see scripts/tsan-suppressions.txt), and nothing written but the counter.
        let differences = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let classes = try? network.predictedClasses(for: data, backend: backend, batchSize: 100)
            let outputs = try? network.outputs(for: data, backend: backend, batchSize: 100)
            if classes != serialClasses { differences.increment() }
            if outputs?.elements.map(\.bitPattern) != serialOutputs.elements.map(\.bitPattern) { differences.increment() }
        }
        #expect(differences.value == 0)
    }
}

/// A shared count of differences.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
