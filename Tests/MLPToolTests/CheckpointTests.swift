import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--checkpoint` / `--resume` through the built binary: a run killed with SIGKILL mid-epoch,
/// or stopped with SIGINT, and resumed ends with the same bytes as a run never stopped.
@Suite struct CheckpointTests {
    /// Small enough for a few seconds in a debug build, long enough (32 batches an epoch) to
    /// be caught mid-epoch.
    static let run = ["train", "--layers", "2,24,24,2", "--epochs", "8", "--batch-size", "32", "--seed", "11",
                      "--backend", "swift", "--threads", "1", "--json"]

    /// The saved model of the uninterrupted run (computed once, shared by the tests).
    static let uninterrupted: Result<[UInt8], any Error> = Result {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model.safetensors")
        let result = try runTool(run + ["--save", model.path])
        guard result.exitStatus == 0 else { throw ToolFailure(run: result) }
        return [UInt8](try contentsOfFile(model))
    }

    @Test("SIGKILL mid-epoch, then --resume: weights bit-identical to an uninterrupted run")
    func killAndResume() throws {
        let expected = try Self.uninterrupted.get()
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoints = folder.appendingPathComponent("checkpoints").path

        let running = try StartedTool(Self.run + ["--checkpoint", checkpoints])
        try running.waitForCheckpoint(in: checkpoints, epoch: 3)
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        #expect(running.process.terminationReason == .uncaughtSignal && running.process.terminationStatus == SIGKILL)
        let kept = try latestEpoch(in: checkpoints)
        #expect(kept >= 3 && kept < 8, "killed after the checkpoint of epoch 3, latest is \(kept)")

        let model = folder.appendingPathComponent("resumed.safetensors")
        let resumed = try runTool(Self.run + ["--resume", checkpoints, "--save", model.path])
        #expect(resumed.exitStatus == 0, "\(resumed.standardError)")
        // Only the remaining epochs run, numbered as in the uninterrupted run.
        let epochs = resumed.standardOutput.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["epoch"] as? Int
        }
        #expect(epochs == Array((kept + 1)...8))
        #expect(try [UInt8](contentsOfFile(model)) == expected, "the resumed run's weights differ from the uninterrupted run's")
        #expect(try latestEpoch(in: checkpoints) == 8)
        // The checkpoint's model is a model file like --save's.
        #expect(try [UInt8](contentsOfFile(URL(fileURLWithPath: checkpoints + "/latest/model.safetensors"))) == expected)
    }

    @Test("SIGINT stops after the epoch with a checkpoint and a one-line error; resuming completes identically")
    func interruptAndResume() throws {
        let expected = try Self.uninterrupted.get()
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoints = folder.appendingPathComponent("checkpoints").path
        let model = folder.appendingPathComponent("model.safetensors")

        let running = try StartedTool(Self.run + ["--checkpoint", checkpoints, "--save", model.path])
        try running.waitForCheckpoint(in: checkpoints, epoch: 2)
        kill(running.process.processIdentifier, SIGINT)
        running.process.waitUntilExit()
        let errorText = try running.standardError()
        #expect(running.process.terminationReason == .exit && running.process.terminationStatus == 1)
        let stopped = try latestEpoch(in: checkpoints)
        #expect(stopped >= 2 && stopped < 8, "\(errorText)")
        let lastLine = errorText.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine == "Error: interrupted (SIGINT) after epoch \(stopped) of 8; checkpoint of epoch \(stopped) in "
                + "\(checkpoints); continue with --resume \(checkpoints)", "\(errorText)")
        #expect(!FileManager.default.fileExists(atPath: model.path), "--save must wait for a finished run")

        let resumed = try runTool(Self.run + ["--resume", checkpoints, "--save", model.path])
        #expect(resumed.exitStatus == 0, "\(resumed.standardError)")
        #expect(try [UInt8](contentsOfFile(model)) == expected)
    }

    @Test("SIGINT without --checkpoint: stops after the epoch, saves nothing, says so")
    func interruptWithoutCheckpoint() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model.safetensors")
        // The SWIFTMLP_RSS_LOG probe writes a line to standard error after every epoch.
        let running = try StartedTool(Self.run + ["--save", model.path], environment: ["SWIFTMLP_RSS_LOG": "1"])
        try running.waitForStandardError(containing: "rss epoch 1:")
        kill(running.process.processIdentifier, SIGINT)
        running.process.waitUntilExit()
        let lines = try running.standardError().split(separator: "\n")
        #expect(running.process.terminationStatus == 1)
        #expect(lines.contains("SIGINT: stopping after this epoch (press Ctrl-C again to quit at once)"))
        let last = String(lines.last ?? "")
        #expect(last.hasPrefix("Error: interrupted (SIGINT) after epoch ")
                && last.hasSuffix(" of 8; no checkpoint written (give --checkpoint DIR to keep progress)"), "\(last)")
        #expect(!FileManager.default.fileExists(atPath: model.path))
    }

    @Test("a resumed run must have the checkpoint's options; a fresh run does not overwrite a checkpoint")
    func mismatchesAreRefused() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoints = folder.appendingPathComponent("checkpoints").path
        let short = ["train", "--layers", "2,8,2", "--epochs", "1", "--seed", "3", "--backend", "swift", "--threads", "1"]
        #expect(try runTool(short + ["--checkpoint", checkpoints]).exitStatus == 0)

        let cases: [([String], String)] = [
            (short + ["--resume", checkpoints, "--batch-size", "64"],
             "Error: --resume \(checkpoints): batch-size differs: the checkpoint has '32', this run '64' (a resumed run needs the options it was started with)"),
            (short + ["--resume", checkpoints, "--seed", "4"], "seed differs: the checkpoint has '3', this run '4'"),
            (["train", "--layers", "2,9,2", "--epochs", "2", "--seed", "3", "--backend", "swift", "--threads", "1", "--resume", checkpoints],
             "architecture differs: the checkpoint has '2-8(relu)-2(softmax), cross-entropy', this run '2-9(relu)-2(softmax), cross-entropy'"),
            (short + ["--resume", checkpoints, "--optimizer", "sgd"], "optimizer differs"),
            (short + ["--resume", checkpoints, "--threads", "2"], "threads differs: the checkpoint has '1', this run '2'"),
            (short + ["--checkpoint", checkpoints],
             "Error: --checkpoint \(checkpoints) already holds a checkpoint (epoch 1); continue it with --resume \(checkpoints), or choose another folder"),
            (short + ["--resume", folder.appendingPathComponent("nothing").path],
             "Error: --resume \(folder.appendingPathComponent("nothing").path): no such folder"),
            (short + ["--resume", checkpoints, "--init", "x.safetensors"], "--resume and --init exclude each other"),
            (short + ["--checkpoint", checkpoints, "--patience", "2"], "--patience cannot be combined with --checkpoint or --resume"),
        ]
        for (arguments, message) in cases {
            let result = try runTool(arguments)
            #expect(result.exitStatus != 0)
            let lines = result.standardError.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("Error: ") && lines[0].contains(message),
                    "\(arguments.suffix(4)): \(result.standardError)")
        }
        // Resuming a finished run with more epochs continues it.
        let twoEpochs = ["train", "--layers", "2,8,2", "--epochs", "2", "--seed", "3", "--backend", "swift", "--threads", "1"]
        let more = try runTool(twoEpochs + ["--resume", checkpoints, "--json"])
        #expect(more.exitStatus == 0, "\(more.standardError)")
        #expect(more.standardOutput.split(separator: "\n").count == 1)
        #expect(try latestEpoch(in: checkpoints) == 2)
    }
}

/// A failed tool run, as an error.
struct ToolFailure: Error, CustomStringConvertible {
    let run: ToolRun
    var description: String { "mlp exited with \(run.exitStatus): \(run.standardError)" }
}

/// The epoch of the checkpoint that `latest` names in a checkpoint folder.
func latestEpoch(in folder: String) throws -> Int {
    let target = try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/latest")
    return try #require(Int(target.dropFirst("epoch-".count)))
}

extension StartedTool {
    /// Polls until standard error contains `text`.
    func waitForStandardError(containing text: String, timeout: Duration = .seconds(120)) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try standardError().contains(text) { return }
            guard process.isRunning else { throw TimeoutError(what: "the run ended before printing '\(text)': \(try standardError())") }
            usleep(5_000)
        }
        throw TimeoutError(what: "no '\(text)' after \(timeout)")
    }

    /// Polls until the checkpoint folder's `latest` names `epoch` or a later one.
    func waitForCheckpoint(in checkpoints: String, epoch: Int, timeout: Duration = .seconds(120)) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let latest = try? latestEpoch(in: checkpoints), latest >= epoch { return }
            guard process.isRunning else { throw TimeoutError(what: "the run ended before epoch \(epoch): \(try standardError())") }
            usleep(5_000)
        }
        throw TimeoutError(what: "no checkpoint of epoch \(epoch) after \(timeout)")
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    let what: String
    var description: String { what }
}
