#if MPI
import Foundation
import NeuralNetwork
import Testing

/// One `mlp train` process, the yardstick of every distributed run: N ranks with global batch B
/// must end with the weights one process reaches with batch B. Shared by the tests on one
/// machine (DistributedTests) and across test hosts (DistributedHostsTests).
struct OneProcessReference {
    /// The `mlp` arguments both runs share.
    let arguments: [String]
    /// Where the saved models go.
    let folder: URL
    /// What the one process printed.
    let run: ToolRun
    /// The network it saved.
    let network: Network

    /// Trains with `arguments` in one process and keeps its network.
    init(_ arguments: [String], in folder: URL) throws {
        self.arguments = arguments
        self.folder = folder
        let saved = folder.appendingPathComponent("one-process.safetensors")
        run = try runTool(arguments + ["--save", saved.path])
        try #require(run.exitStatus == 0, "one process: \(run.standardError)")
        network = try Network(contentsOfFile: saved.path)
    }

    /// What a distributed run printed, the network it saved (nil when it saved none) and its
    /// largest difference from the one process's (infinity without one).
    struct Outcome {
        var run: MPIRun
        var network: Network?
        var difference: Float
    }

    /// Runs the same arguments, then `extra`, then `--distributed --save FILE` through `launch`
    /// (which puts `mpirun` and its options in front), FILE named after `name`.
    func distributed(_ name: String, _ extra: [String] = [], launch: ([String]) throws -> MPIRun) throws -> Outcome {
        let saved = folder.appendingPathComponent(name + ".safetensors")
        let run = try launch(arguments + extra + ["--distributed", "--save", saved.path])
        guard run.exitStatus == 0, !run.timedOut, let result = try? Network(contentsOfFile: saved.path) else {
            return Outcome(run: run, network: nil, difference: .infinity)
        }
        return Outcome(run: run, network: result, difference: maximumDifference(result, network))
    }
}

/// The largest absolute difference between two networks over every value of their parameter
/// arenas (running statistics included); infinity when the layouts differ or a value is NaN.
func maximumDifference(_ a: Network, _ b: Network) -> Float {
    guard a.arena.count == b.arena.count else { return .infinity }
    var worst: Float = 0
    for (x, y) in zip(a.arena.values, b.arena.values) {
        let difference = abs(x - y)
        if !(difference <= worst) { worst = difference.isNaN ? .infinity : difference }
    }
    return worst
}
#endif
