import Foundation
import Testing

/// Checkpoints written by `mlp` before Adam and AdamW, and Momentum and Nesterov, became one
/// type each (and before manifests were `Codable`) still resume: the settings a resumed run
/// compares (the optimizer's description, the schedule) read the same, and the run ends with
/// the very weights of a run never stopped. Fixtures/old-checkpoints/README.md says how they
/// were made (with the reference backend, whose products are the same in every build).
@Suite struct OldCheckpointTests {
    /// `mlp train` as the fixture's run was started, for `--epochs` epochs.
    static func run(_ optimizer: String, schedule: String, epochs: Int) -> [String] {
        ["train", "--layers", "2,8,2", "--optimizer", optimizer, "--schedule", schedule, "--epochs", "\(epochs)",
         "--seed", "3", "--backend", "reference", "--threads", "1"]
    }

    /// adamw: stopped after epoch 2 of a step schedule, resumed for a third. nesterov: all 3
    /// epochs of `--schedule cosine` (then written `cosine:3`), resumed with nothing left to run.
    @Test(arguments: [("adamw", "step:0.5:1", 2), ("nesterov", "cosine", 3)])
    func oldCheckpointsResumeExactly(optimizer: String, schedule: String, checkpointEpoch: Int) throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoints = folder.appendingPathComponent("checkpoints")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Tests/MLPToolTests/Fixtures/old-checkpoints/\(optimizer)"),
                                         to: checkpoints)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: checkpoints.path + "/latest") == "epoch-\(checkpointEpoch)")
        let run = Self.run(optimizer, schedule: schedule, epochs: 3)
        let resumedModel = folder.appendingPathComponent("resumed.safetensors"), wholeModel = folder.appendingPathComponent("whole.safetensors")
        let resumed = try runTool(run + ["--resume", checkpoints.path, "--save", resumedModel.path])
        #expect(resumed.exitStatus == 0, "\(resumed.standardError)")
        let whole = try runTool(run + ["--save", wholeModel.path])
        #expect(whole.exitStatus == 0, "\(whole.standardError)")
        #expect(try contentsOfFile(resumedModel) == contentsOfFile(wholeModel),
                "\(optimizer): the run resumed from the old checkpoint ends with other weights than a run never stopped")
        // Another optimizer of the same family is refused by name.
        let other = optimizer == "adamw" ? "adam" : "momentum"
        let refused = try runTool(Self.run(other, schedule: schedule, epochs: 3) + ["--resume", checkpoints.path])
        #expect(refused.exitStatus == 1 && refused.standardError.contains("optimizer differs: the checkpoint has '\(optimizer)("),
                "\(refused.standardError)")
    }
}
