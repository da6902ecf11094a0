#if MPI
import Foundation
import NeuralNetwork
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mlp train --distributed` across test hosts: Linux network namespaces joined by veth pairs on a
/// bridge, one rank per host, Open MPI over TCP only (`scripts/test-hosts.sh`), so every gradient
/// crosses a network interface. N ranks end with the weights of one process; a host whose link
/// goes down, or whose rank is killed, ends the run on every other host with a clear error within
/// the stated timeout, saving nothing.
///
/// Needs root (or CAP_NET_ADMIN), iproute2 and Open MPI; skipped with a line saying so otherwise.
@Suite(.serialized, .enabled(if: TestHosts.available, TestHosts.unavailableReason))
struct DistributedHostsTests {
    static let sampleCount = 103

    /// Four Dense layers: `--allreduce-bucket 1` (256 floats) cuts the gradients into three
    /// buckets sent during the backward pass, `--allreduce-bucket 0` sends one allreduce after it.
    @Test("N ranks on N hosts over TCP, with and without overlap, end with the weights of one process with the same global batch",
          arguments: ["sgd", "adam"], [2, 4])
    func hostsMatchOneProcess(optimizer: String, hosts count: Int) throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("blobs.csv")
        try data.write(blobsCSV(count: Self.sampleCount, seed: 8))
        let reference = try OneProcessReference(
            ["train", "--data", data.path, "--layers", "2,32,32,32,3", "--activation", "tanh", "--optimizer", optimizer,
             "--learning-rate", optimizer == "sgd" ? "0.1" : "0.01", "--batch-size", "10", "--epochs", "4",
             "--seed", "4", "--backend", "swift", "--threads", "1"], in: folder)
        let hosts = try TestHosts(count: count)
        for (bucket, allreduces) in [("0", "1 allreduce per step"), ("1", "3 allreduces per step")] {
            let outcome = try reference.distributed("bucket\(bucket)", ["--allreduce-bucket", bucket]) { try hosts.run(ranks: count, $0) }
            try #require(outcome.run.exitStatus == 0 && !outcome.run.timedOut, "\(outcome.run.standardError)")
            #expect(outcome.run.standardError.contains("distributed: \(count) ranks"), "\(outcome.run.standardError)")
            #expect(outcome.run.standardError.contains(allreduces), "\(outcome.run.standardError)")
            #expect(outcome.difference < 1e-4,
                    "\(count) hosts, \(optimizer), --allreduce-bucket \(bucket): largest weight difference \(outcome.difference)")
        }
    }

    /// Dropout's masks are keyed by each sample's place in the global batch, so the ranks draw
    /// the masks one process draws. Three hosts: the shares of a batch of 10 are 4, 3, 3.
    @Test("With Dropout, 3 ranks on 3 hosts end with the weights of one process")
    func dropoutAcrossHosts() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = try blobsReference(in: folder, ["--layers", "2,32,32,3", "--activation", "tanh", "--dropout", "0.3",
                                                        "--batch-size", "10"])
        let hosts = try TestHosts(count: 3)
        let outcome = try reference.distributed("dropout", ["--allreduce-bucket", "1"]) { try hosts.run(ranks: 3, $0) }
        try #require(outcome.run.exitStatus == 0 && !outcome.run.timedOut, "\(outcome.run.standardError)")
        #expect(outcome.difference < 1e-4, "Dropout on 3 hosts: largest weight difference \(outcome.difference)")
    }

    /// BatchNorm keeps per-rank batch statistics (docs/DISTRIBUTED.md, as DDP without
    /// SyncBatchNorm): each rank normalises its share by the share's mean and variance, and rank
    /// 0's running statistics are sent to all after each step. So 2 hosts over TCP must end with
    /// the network of 2 ranks on one machine (shared memory; the transport changes no sum), and
    /// not with that of one process, which normalises by the whole batch's statistics.
    @Test("With BatchNorm, 2 ranks on 2 hosts end with the network of 2 ranks on one machine (per-rank statistics)")
    func batchNormAcrossHosts() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = try blobsReference(in: folder, ["--layers", "2,16,16,3", "--activation", "relu", "--normalization", "batch",
                                                        "--batch-size", "12"])
        let hosts = try TestHosts(count: 2)
        let acrossHosts = try reference.distributed("hosts", ["--allreduce-bucket", "1"]) { try hosts.run(ranks: 2, $0) }
        let oneMachine = try reference.distributed("machine", ["--allreduce-bucket", "1"]) { try runMPI(ranks: 2, $0) }
        let spread = try #require(acrossHosts.network, "\(acrossHosts.run.standardError)")
        let local = try #require(oneMachine.network, "\(oneMachine.run.standardError)")
        let difference = maximumDifference(spread, local)
        #expect(difference < 1e-5, "BatchNorm, 2 hosts against 2 ranks on one machine: largest difference \(difference)")
        #expect(acrossHosts.difference > 1e-3,
                "BatchNorm on 2 ranks came within \(acrossHosts.difference) of one process: the statistics are no longer per rank, update docs/DISTRIBUTED.md")
    }

    /// The one-process Adam run (4 epochs, seed 4) on the test blobs written into `folder`, with `arguments` added.
    private func blobsReference(in folder: URL, _ arguments: [String]) throws -> OneProcessReference {
        let data = folder.appendingPathComponent("blobs.csv")
        try data.write(blobsCSV(count: Self.sampleCount, seed: 8))
        return try OneProcessReference(["train", "--data", data.path, "--optimizer", "adam", "--learning-rate", "0.01", "--epochs", "4",
                                        "--seed", "4", "--backend", "swift", "--threads", "1"] + arguments, in: folder)
    }

    /// Rank 0 alone writes checkpoints; a host cut off mid-run stops the others by the deadline,
    /// between two checkpoints, so the folder keeps the last complete one and nothing partial; a
    /// run on fewer hosts with the same global batch resumes from it and ends where an
    /// uninterrupted run ends.
    @Test("A host cut off after epoch 1's checkpoint: the others stop within the timeout leaving only complete checkpoints; --resume on 2 hosts ends with the weights of an uninterrupted run")
    func resumeAfterLostHost() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("blobs.csv"), model = folder.appendingPathComponent("model.safetensors")
        let checkpoints = folder.appendingPathComponent("checkpoints")
        try data.write(blobsCSV(count: 6000, seed: 8))
        try model.write("an older model that a failed run must not touch")
        let epochs = 3, timeout = 5.0
        let reference = try OneProcessReference(
            ["train", "--data", data.path, "--layers", "2,32,32,3", "--activation", "tanh", "--optimizer", "adam",
             "--learning-rate", "0.01", "--batch-size", "12", "--epochs", "\(epochs)", "--seed", "4",
             "--backend", "swift", "--threads", "1"], in: folder)

        let kept = try cutOffAfterFirstCheckpoint(reference.arguments + [
            "--distributed", "--distributed-timeout", "\(timeout)", "--checkpoint", checkpoints.path, "--save", model.path],
            checkpoints: checkpoints, timeout: timeout)
        #expect(try String(contentsOf: model, encoding: .utf8) == "an older model that a failed run must not touch")
        // The folder holds the lock, the link and one complete checkpoint: no .partial folder, no temporary file.
        let entries = Set(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path))
        #expect(entries == [".lock", "latest", kept], "\(entries)")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: checkpoints.appendingPathComponent(kept).path))
        #expect(files == ["model.safetensors", "optimizer.safetensors", "manifest.json"], "\(files)")
        let others = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(others == ["blobs.csv", "checkpoints", "model.safetensors", "one-process.safetensors"], "\(others)")

        let resumed = try reference.distributed("resumed", ["--resume", checkpoints.path]) {
            try TestHosts(count: 2).run(ranks: 2, $0)
        }
        try #require(resumed.run.exitStatus == 0, "\(resumed.run.standardError)")
        #expect(resumed.run.standardError.contains("resuming from \(checkpoints.path) after epoch"), "\(resumed.run.standardError)")
        #expect(resumed.difference < 1e-4, "resumed on 2 hosts: largest weight difference \(resumed.difference)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: checkpoints.appendingPathComponent("latest").path)
                == "epoch-\(epochs)")
    }

    /// Starts `arguments` on 4 hosts, cuts host 3's link once rank 0 has written its first
    /// checkpoint, checks that the run ends by the deadline with rank 0's error, and returns
    /// the checkpoint the folder's `latest` then names.
    private func cutOffAfterFirstCheckpoint(_ arguments: [String], checkpoints: URL, timeout: Double) throws -> String {
        let hosts = try TestHosts(count: 4)
        let started = try hosts.start(ranks: 4, arguments)
        let latest = checkpoints.appendingPathComponent("latest").path
        let deadline = Date().addingTimeInterval(120)
        while (try? FileManager.default.destinationOfSymbolicLink(atPath: latest)) == nil, started.process.isRunning, Date() < deadline {
            usleep(20_000)
        }
        let before = try started.standardError()
        try #require(started.process.isRunning, "the run ended before the link was cut: \(before)")
        try hosts.setLink(host: 3, up: false)
        let cut = Date()
        let (run, timedOut) = try started.finish(timeout: .seconds(90))
        let seconds = Date().timeIntervalSince(cut)
        #expect(!timedOut, "mpirun still running 90 s after the link went down")
        // Rank 0 gives up after `timeout` seconds; mpirun then needs a few seconds to give up on host 3's daemon.
        #expect(seconds < timeout + 15, "\(seconds) s from the cut to the end")
        #expect(run.exitStatus != 0)
        #expect(run.standardError.contains("Error: rank 0 of 4: no answer from the other ranks within \(timeout) s"), "\(run.standardError)")
        #expect(!run.standardError.contains("saved"))
        let kept = try FileManager.default.destinationOfSymbolicLink(atPath: latest)
        // The cut comes within milliseconds of the first checkpoint; an epoch takes far longer.
        #expect(kept == "epoch-1", "the last checkpoint before the cut is \(kept)")
        return kept
    }

    @Test("A rank killed on another host ends the run on every host with an error, saving nothing")
    func killedRankOnAnotherHost() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("blobs.csv"), model = folder.appendingPathComponent("model.safetensors")
        try data.write(blobsCSV(count: Self.sampleCount, seed: 8))
        let started = Date()
        let run = try TestHosts.run(hosts: 4, rate: "1gbit", delay: "0.2ms",
                                    ["-x", "\(DistributedRunFault.variable)=3:7", toolURL.path, "train", "--data", data.path,
                                     "--layers", "2,12,3", "--epochs", "50", "--batch-size", "10", "--backend", "swift",
                                     "--threads", "1", "--distributed", "--save", model.path],
                                    programGiven: true)
        #expect(!run.timedOut && Date().timeIntervalSince(started) < 90, "the surviving ranks hung")
        #expect(run.exitStatus != 0)
        #expect(run.standardError.contains("rank 3: killed at step 7"), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: model.path))
    }
}

/// The name of `mlp`'s fault-injection variable (DistributedRun.faultVariable in the tool).
enum DistributedRunFault {
    static let variable = "MLP_DISTRIBUTED_FAULT"
}

/// A set of test hosts made by `scripts/test-hosts.sh` under a prefix of its own, removed again
/// when released.
final class TestHosts {
    static let script = repositoryRoot.appendingPathComponent("scripts/test-hosts.sh")

    /// Why the suite cannot run here, or nil when it can (root, namespaces, tc, mpirun).
    static let problem: String? = {
        guard getuid() == 0 else { return "not root" }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else { return "no mpirun (apt-get install openmpi-bin)" }
        guard let check = try? StartedTool([script.path, "check"], executable: URL(fileURLWithPath: "/bin/bash")).finish(timeout: .seconds(30)),
              check.run.exitStatus == 0 else { return "scripts/test-hosts.sh check failed (no network namespaces here)" }
        return nil
    }()
    static var available: Bool { problem == nil }
    static var unavailableReason: Comment {
        "test hosts unavailable (\(problem ?? "")): the across-hosts tests need root, network namespaces, iproute2 and Open MPI"
    }

    let environment: [String: String]

    /// Makes `count` hosts with links of `rate` and one-way `delay` (the delay only where the
    /// kernel has netem; without it, as on the machine these tests were written on, the links are
    /// limited by rate alone and keep a veth pair's own latency).
    init(count: Int, rate: String = "1gbit", delay: String = "0.2ms") throws {
        environment = ["SWIFTMLP_HOSTS": "smlpt\(UInt16.random(in: 0...UInt16.max))"]
        let up = try StartedTool([Self.script.path, "up", "\(count)", rate, delay], executable: URL(fileURLWithPath: "/bin/bash"),
                                 environment: environment).finish(timeout: .seconds(60))
        guard up.run.exitStatus == 0 else {
            throw CommandFailure("test-hosts.sh up \(count): \(up.run.standardError)")
        }
    }

    deinit {
        _ = try? StartedTool([Self.script.path, "down"], executable: URL(fileURLWithPath: "/bin/bash"),
                             environment: environment).finish(timeout: .seconds(60))
    }

    /// Starts `mpirun` with one rank per host running `mlp arguments...` (or `arguments` as given
    /// when `programGiven`, for mpirun options before the program).
    func start(ranks: Int, _ arguments: [String], programGiven: Bool = false) throws -> StartedTool {
        try StartedTool([Self.script.path, "mpirun", "\(ranks)"] + (programGiven ? arguments : [toolURL.path] + arguments),
                        executable: URL(fileURLWithPath: "/bin/bash"), environment: environment)
    }

    /// Sets host `host`'s link up or down.
    func setLink(host: Int, up: Bool) throws {
        let run = try StartedTool([Self.script.path, "link", "\(host)", up ? "up" : "down"], executable: URL(fileURLWithPath: "/bin/bash"),
                                  environment: environment).finish(timeout: .seconds(30))
        guard run.run.exitStatus == 0 else { throw CommandFailure("test-hosts.sh link: \(run.run.standardError)") }
    }

    /// Runs `mpirun` with one rank on each of the first `ranks` hosts until it ends (killed after `timeout` seconds).
    func run(ranks: Int, _ arguments: [String], programGiven: Bool = false, timeout: TimeInterval = 300) throws -> MPIRun {
        let (run, timedOut) = try start(ranks: ranks, arguments, programGiven: programGiven).finish(timeout: .seconds(timeout))
        return MPIRun(standardOutput: run.standardOutput, standardError: run.standardError, exitStatus: run.exitStatus, timedOut: timedOut)
    }

    /// Makes `hosts` hosts, runs one rank on each, removes the hosts.
    static func run(hosts: Int, rate: String, delay: String, _ arguments: [String], programGiven: Bool = false,
                    timeout: TimeInterval = 300) throws -> MPIRun {
        try TestHosts(count: hosts, rate: rate, delay: delay).run(ranks: hosts, arguments, programGiven: programGiven, timeout: timeout)
    }
}

/// A helper command that failed, with what it printed.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
#endif
