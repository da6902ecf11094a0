import Foundation
import NeuralNetwork
import Testing

/// With a seed, a backend and a thread count fixed, two runs of `mlp train` write the same
/// bytes. (What threads may change is documented on `TrainingState`, Trainer+Checkpoint.swift.)
@Suite struct DeterminismTests {
    static let configurations: [(String, Int)] = BackendKind.fast.flatMap { kind in [(kind.rawValue, 1), (kind.rawValue, 2)] }

    /// The saved model of one run (a shuffled epoch of two batches, 640 and 360 samples). The
    /// products are big enough to be split over two threads: 640 x 64 x 64 multiply-adds is
    /// above OpenBLAS's threading threshold and the Swift backend's inline limit (2.5M).
    static func trainedModel(backend: String, threads: Int) throws -> Data {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model.safetensors")
        let result = try runTool(["train", "--layers", "2,64,64,2", "--epochs", "1", "--batch-size", "640", "--seed", "5",
                                  "--backend", backend, "--threads", "\(threads)", "--save", model.path, "--json"])
        guard result.exitStatus == 0 else { throw ToolFailure(run: result) }
        return try contentsOfFile(model)
    }

    @Test("two seeded runs give bit-identical weights", arguments: configurations)
    func twoRunsAgree(backend: String, threads: Int) throws {
        let first = try Self.trainedModel(backend: backend, threads: threads)
        let second = try Self.trainedModel(backend: backend, threads: threads)
        #expect(first == second, "\(backend) with \(threads) thread(s)")
    }

    /// The Swift backend cuts C, never k, among threads: its thread count changes nothing.
    /// (OpenBLAS's does: see `TrainingState`.)
    @Test func swiftBackendResultsDoNotDependOnThreads() throws {
        #expect(try Self.trainedModel(backend: "swift", threads: 1) == Self.trainedModel(backend: "swift", threads: 2))
    }
}
