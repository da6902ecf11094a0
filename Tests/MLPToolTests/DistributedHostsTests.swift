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

    @Test("N ranks on N hosts over TCP end with the weights of one process with the same global batch",
          arguments: ["sgd", "adam"], [2, 4])
    func hostsMatchOneProcess(optimizer: String, hosts: Int) throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("blobs.csv")
        try data.write(blobsCSV(count: Self.sampleCount, seed: 8))
        let common = ["train", "--data", data.path, "--layers", "2,12,3", "--activation", "tanh", "--optimizer", optimizer,
                      "--learning-rate", optimizer == "sgd" ? "0.2" : "0.01", "--batch-size", "10", "--epochs", "4",
                      "--seed", "4", "--backend", "swift", "--threads", "1"]

        let single = folder.appendingPathComponent("single.safetensors")
        let one = try runTool(common + ["--save", single.path])
        try #require(one.exitStatus == 0, "\(one.standardError)")

        let spread = folder.appendingPathComponent("hosts.safetensors")
        let run = try TestHosts.run(hosts: hosts, rate: "1gbit", delay: "0.2ms",
                                    common + ["--distributed", "--save", spread.path])
        try #require(run.exitStatus == 0 && !run.timedOut, "\(run.standardError)")
        #expect(run.standardError.contains("distributed: \(hosts) ranks"), "\(run.standardError)")
        let difference = maximumDifference(try Network(contentsOfFile: spread.path), try Network(contentsOfFile: single.path))
        #expect(difference < 1e-4, "\(hosts) hosts, \(optimizer): largest weight difference \(difference)")
    }

    @Test("A host whose link goes down mid-run: the others stop with a clear error within the timeout, saving nothing")
    func hostThatVanishes() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("blobs.csv"), model = folder.appendingPathComponent("model.safetensors")
        try data.write(blobsCSV(count: 2000, seed: 8))
        try model.write("an older model that a failed run must not touch")

        let hosts = try TestHosts(count: 2)
        let timeout = 5.0
        let started = try hosts.start(ranks: 2, ["train", "--data", data.path, "--layers", "2,16,3", "--epochs", "500",
                                                 "--batch-size", "32", "--backend", "swift", "--threads", "1", "--distributed",
                                                 "--distributed-timeout", "\(timeout)", "--save", model.path])
        // Cut host 1 off once training is under way: 2 s after rank 0 announced it (the run would take minutes).
        let deadline = Date().addingTimeInterval(60)
        while try !started.standardError().contains("training"), Date() < deadline, started.process.isRunning { usleep(100_000) }
        sleep(2)
        let before = try started.standardError()
        try #require(started.process.isRunning, "the run ended before the link was cut: \(before)")
        try hosts.setLink(host: 1, up: false)
        let cut = Date()
        let (run, timedOut) = try started.finish(timeout: .seconds(60))

        // Rank 0 gives up after `timeout` seconds; mpirun then needs a few seconds to give up on host 1's daemon.
        let seconds = Date().timeIntervalSince(cut)
        #expect(!timedOut, "mpirun still running 60 s after the link went down")
        #expect(seconds < timeout + 15, "\(seconds) s from the cut to the end")
        #expect(run.exitStatus != 0)
        #expect(run.standardError.contains("Error: rank 0 of 2: no answer from the other ranks within 5.0 s"), "\(run.standardError)")
        #expect(!run.standardError.contains("saved"))
        #expect(try String(contentsOf: model, encoding: .utf8) == "an older model that a failed run must not touch")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "blobs.csv" && $0 != "model.safetensors" }
        #expect(leftovers.isEmpty, "\(leftovers)")
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

    /// Makes `count` hosts with links of `rate` and one-way `delay`.
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

    /// Makes `hosts` hosts, runs one rank on each, removes the hosts.
    static func run(hosts: Int, rate: String, delay: String, _ arguments: [String], programGiven: Bool = false,
                    timeout: TimeInterval = 300) throws -> MPIRun {
        let made = try TestHosts(count: hosts, rate: rate, delay: delay)
        let (run, timedOut) = try made.start(ranks: hosts, arguments, programGiven: programGiven).finish(timeout: .seconds(timeout))
        return MPIRun(standardOutput: run.standardOutput, standardError: run.standardError, exitStatus: run.exitStatus, timedOut: timedOut)
    }
}

/// A helper command that failed, with what it printed.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
#endif
