import Foundation
import NeuralNetwork
import Testing

/// With a seed, a backend and a thread count fixed, two runs of `mlp train` write the same
/// bytes. (What threads may change is documented on `TrainingState`, Trainer+Checkpoint.swift.)
@Suite struct DeterminismTests {
    static let configurations: [(String, Int)] = BackendKind.fast.flatMap { kind in [(kind.rawValue, 1), (kind.rawValue, 2)] }

    /// The saved model of one run: 64-wide hidden layers so that the products are big enough to
    /// be split over two threads.
    static func trainedModel(backend: String, threads: Int) throws -> Data {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model.safetensors")
        let result = try runTool(["train", "--layers", "2,64,64,2", "--epochs", "3", "--batch-size", "100", "--seed", "5",
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
}
