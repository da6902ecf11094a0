#if MPI
import Foundation
import NeuralNetwork
import Testing

/// `mpirun --oversubscribe -np N mlp train --distributed` against one `mlp train` process: the
/// same weights within float tolerance (SGD and Adam, file order and shuffled, 2 and 4 ranks, an
/// uneven last batch and, with 4 ranks, a last batch smaller than the rank count); rank 0
/// alone prints; and a rank that dies ends the run with an error, promptly, saving nothing.
///
/// Compiled only with the MPI trait: `swift test --traits OpenBLAS,MPI --scratch-path .build-mpi
/// --filter DistributedTests` (needs `mpirun`: apt-get install openmpi-bin libopenmpi-dev).
@Suite(.serialized) struct DistributedTests {
    /// 103 samples: batches of 10 leave a last batch of 3, so with 4 ranks one rank has no sample.
    static let sampleCount = 103

    @Test("N ranks with global batch B end with the weights of one process with batch B",
          arguments: ["sgd", "adam"], [false, true])
    func ranksMatchOneProcess(optimizer: String, shuffle: Bool) throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("blobs.csv")
        try data.write(blobsCSV(count: Self.sampleCount, seed: 8))
        // Adam starts from an --init file (read by rank 0 alone); SGD from the seed (initialised by rank 0 alone).
        var start = ["--seed", "4"]
        if optimizer == "adam" {
            let initial = folder.appendingPathComponent("init.safetensors")
            let made = try runTool(["train", "--data", data.path, "--layers", "2,12,3", "--activation", "tanh", "--epochs", "1",
                                    "--seed", "21", "--save", initial.path, "--backend", "swift", "--threads", "1"])
            try #require(made.exitStatus == 0, "\(made.standardError)")
            start = ["--init", initial.path]
        }
        let common = ["train", "--data", data.path, "--layers", "2,12,3", "--activation", "tanh", "--optimizer", optimizer,
                      "--learning-rate", optimizer == "sgd" ? "0.2" : "0.01", "--batch-size", "10", "--epochs", "5",
                      "--backend", "swift", "--threads", "1", "--json"] + start + (shuffle ? [] : ["--no-shuffle"])

        let reference = try OneProcessReference(common, in: folder)
        for ranks in [2, 4] {
            let outcome = try reference.distributed("ranks\(ranks)") { try runMPI(ranks: ranks, $0) }
            let run = outcome.run
            try #require(run.exitStatus == 0, "\(run.standardError)")
            #expect(outcome.difference < 1e-4,
                    "\(ranks) ranks, \(optimizer), shuffle \(shuffle): largest weight difference \(outcome.difference)")
            // Rank 0 alone writes --json: one line per epoch, not one per rank; and the summary line.
            #expect(run.standardOutput.split(separator: "\n").count == 5, "\(run.standardOutput)")
            #expect(run.standardError.contains("distributed: \(ranks) ranks"), "\(run.standardError)")
            // The per-epoch losses are those of the single process (float sums aside).
            let one = reference.run.standardOutput
            #expect(zip(losses(one), losses(run.standardOutput)).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) },
                    "\(one)\n\(run.standardOutput)")
        }
    }

    @Test("A rank that dies mid-training ends every rank with an error, promptly, and nothing is saved",
          arguments: [1, 0])
    func deadRankStopsTheRun(victim: Int) throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("blobs.csv"), model = folder.appendingPathComponent("model.safetensors")
        try data.write(blobsCSV(count: Self.sampleCount, seed: 8))
        try model.write("an older model that a failed run must not touch")
        let started = Date()
        let run = try runMPI(ranks: 2, ["train", "--data", data.path, "--layers", "2,12,3", "--epochs", "50", "--batch-size", "10",
                                        "--backend", "swift", "--threads", "1", "--distributed", "--save", model.path],
                             environment: ["MLP_DISTRIBUTED_FAULT": "\(victim):7"], timeout: 120)
        let seconds = Date().timeIntervalSince(started)
        #expect(!run.timedOut, "the surviving rank hung")
        #expect(seconds < 60)
        #expect(run.exitStatus != 0)
        #expect(run.standardError.contains("rank \(victim): killed at step 7"), "\(run.standardError)")
        #expect(!run.standardError.contains("saved"))
        #expect(try String(contentsOf: model, encoding: .utf8) == "an older model that a failed run must not touch")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "blobs.csv" && $0 != "model.safetensors" }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("When rank 0 cannot read --init, every rank stops with an error naming it")
    func rootFailureStopsEveryRank() throws {
        let run = try runMPI(ranks: 3, ["train", "--init", "/nonexistent/init.safetensors", "--epochs", "1", "--distributed"],
                             timeout: 120)
        #expect(!run.timedOut && run.exitStatus != 0)
        #expect(run.standardError.contains("Error: rank 0 of 3: /nonexistent/init.safetensors"), "\(run.standardError)")
    }

    @Test("Without MPI's launcher or with one rank, --distributed trains as one process does")
    func oneRankIsOneProcess() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = folder.appendingPathComponent("a.safetensors"), b = folder.appendingPathComponent("b.safetensors")
        let common = ["train", "--layers", "2,8,2", "--epochs", "3", "--backend", "swift", "--threads", "1", "--no-shuffle"]
        let plain = try runTool(common + ["--save", a.path])
        let ranked = try runMPI(ranks: 1, common + ["--distributed", "--save", b.path])
        #expect(plain.exitStatus == 0 && ranked.exitStatus == 0, "\(ranked.standardError)")
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
    }
}

/// What one `mpirun` run printed and how it ended.
struct MPIRun {
    var standardOutput: String
    var standardError: String
    var exitStatus: Int32
    var timedOut: Bool
}

/// Runs `mpirun --oversubscribe -np ranks mlp arguments...`, killing it after `timeout` seconds.
/// As root, Open MPI wants explicit consent: the OMPI_ALLOW_RUN_AS_ROOT variables give it.
/// The environment may set more Open MPI parameters (OMPI_MCA_...): `environment` wins.
func runMPI(ranks: Int, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 300) throws -> MPIRun {
    var env = [
        "OMPI_ALLOW_RUN_AS_ROOT": "1",
        "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
        "OMPI_MCA_btl_base_warn_component_unused": "0",
        // In containers without ptrace rights, shared memory's single-copy (CMA) transfers fail; plain copies work everywhere.
        "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    ]
    for (key, value) in environment { env[key] = value }
    let started = try StartedTool(["mpirun", "--oversubscribe", "-np", "\(ranks)", toolURL.path] + arguments,
                                  executable: URL(fileURLWithPath: "/usr/bin/env"), environment: env)
    let (run, timedOut) = try started.finish(timeout: .seconds(timeout))
    return MPIRun(standardOutput: run.standardOutput, standardError: run.standardError,
                  exitStatus: run.exitStatus, timedOut: timedOut)
}

/// The "loss" of each --json line.
private func losses(_ json: String) -> [Double] {
    json.split(separator: "\n").compactMap { line in
        (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["loss"] as? Double
    }
}

#endif
