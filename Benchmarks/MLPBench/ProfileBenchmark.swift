import ArgumentParser
import Foundation
import LinearAlgebra
import NeuralNetwork

/// `mlp-bench profile`: where the time of one training step of the standard network goes.
///
/// The step runs through ``TimedBackend``, which times every GEMM it passes on and files the
/// time under the call's ``GEMMCallSite``; the rest of the step (bias, activations, loss,
/// column sums, the SGD update, the batch copy) is the step's time minus the GEMMs'. Each row
/// gives the median over many steps, and the product's rate in GFLOP/s (2 m n k per call),
/// so a GEMM-bound step shows as GEMM time near the step's, and a slow product as a low rate.
/// With `--inference` the same is done for inference (forward pass and softmax into a kept
/// workspace, as `mlp-bench train` times it, by default at batch 1024).
struct ProfileBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Split the time of a training step of the standard MLP into its GEMMs and the rest.")

    @Option(help: ArgumentHelp("Backends, comma-separated (default: swift,openblas,auto as compiled).", valueName: "b,b,..."),
            transform: { try parseList($0, BackendKind.init(rawValue:)) })
    var backends: [BackendKind]?

    @Option(help: "Threads per product.")
    var threads = 2

    @Option(help: "Batch size of the step (default 128, or 1024 with --inference).")
    var batch: Int?

    @Flag(help: "Profile inference (forward + softmax) instead of a training step.")
    var inference = false

    @Option(help: "Timed steps (after 20 untimed ones).")
    var steps = 400

    @Option(help: "Fashion-MNIST IDX folder: the batch is its first training samples, as in `mlp-bench train` (random data when missing).")
    var data = "/usr/share/datasets/fashion-mnist"

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard (batch ?? 1) >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        for kind in backends ?? [] where !kind.isAvailable { throw ValidationError(BackendError.notCompiled(kind).description) }
    }

    func run() throws {
        let kinds = backends ?? ([.swift, .openblas, .auto].filter(\.isAvailable))
        let batch = self.batch ?? (inference ? TrainBenchmark.inferenceBatch : 128)
        let what = inference ? "inference" : "SGD lr 0.1 training step"
        print("mlp-bench profile: 784-256-128-10 relu/softmax+CE, \(what), batch \(batch), \(threads) thread(s), median of \(steps)")
        print("machine at start: \(machineState())")
        let (dataset, dataNote) = TrainBenchmark.loadData(data)
        print("data: \(dataNote)")
        let (inputs, targets) = TrainBenchmark.batch(rows: batch, from: dataset)
        var table = Table([("backend", .left), ("part", .left), ("shape m x n x k", .left),
                                    ("us", .right), ("share", .right), ("GFLOP/s", .right)])
        for kind in kinds {
            let timed = TimedBackend(try kind.make(threads: threads))
            let network = try Network(sizes: TrainBenchmark.sizes, hiddenActivation: .relu, outputActivation: .softmax,
                                      loss: .crossEntropy, initializer: .heNormal, seed: 1)
            let trainer = try Trainer(network: network, optimizer: SGD(learningRate: TrainBenchmark.learningRate),
                                      backend: timed, options: TrainingOptions(batchSize: batch))
            let workspace = Workspace(for: network, capacity: batch)
            var outputs = Matrix(rows: batch, columns: network.outputSize)
            let run = inference
                ? { try network.predict(inputs, into: &outputs, workspace: workspace, backend: timed) }
                : { _ = try trainer.step(inputs: inputs, targets: targets) }
            for _ in 0..<20 { try run() }
            timed.log.reset()
            var stepSeconds: [Double] = []
            let clock = ContinuousClock()
            for _ in 0..<steps {
                timed.log.startStep()
                let elapsed = try clock.measure(run)
                stepSeconds.append(elapsed.seconds)
            }
            let step = median(stepSeconds)
            var gemmTotal = 0.0
            for site in timed.log.sites {
                let seconds = median(site.seconds)
                gemmTotal += seconds
                table.append([kind.rawValue, site.name, "\(site.m)x\(site.n)x\(site.k) \(site.transposes)",
                              String(format: "%.1f", seconds * 1e6), String(format: "%.1f%%", 100 * seconds / step),
                              String(format: "%.1f", 2 * Double(site.m * site.n * site.k) / seconds / 1e9)])
            }
            let rest = step - gemmTotal
            table.append([kind.rawValue, "all GEMMs", "", String(format: "%.1f", gemmTotal * 1e6),
                          String(format: "%.1f%%", 100 * gemmTotal / step), ""])
            table.append([kind.rawValue, "everything else", "", String(format: "%.1f", rest * 1e6),
                          String(format: "%.1f%%", 100 * rest / step), ""])
            table.append([kind.rawValue, inference ? "whole inference" : "whole step", "", String(format: "%.1f", step * 1e6), "100.0%", ""])
        }
        print(table.rendered)
        print("machine at end: \(machineState())")
    }
}

/// Passes every GEMM to `base`, timing it into ``log`` under its call site.
final class TimedBackend: GEMMBackend, @unchecked Sendable {
    let base: any GEMMBackend
    let log = GEMMTimeLog()

    init(_ base: any GEMMBackend) { self.base = base }

    var name: String { base.name }
    var threads: Int { base.threads }

    func gemmKernel(_ p: GEMMOperands, site: GEMMCallSite) {
        let start = DispatchTime.now().uptimeNanoseconds
        base.gemmKernel(p, site: site)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        log.record(site: site, transA: p.transA, transB: p.transB, m: p.m, n: p.n, k: p.k, seconds: seconds)
    }
}

/// Per call site, the time of each step's call (the sites in the order of their first call).
/// A call builds no string and, after the first step, allocates nothing but an array's growth:
/// the recording is inside the step's time.
final class GEMMTimeLog {
    struct Site {
        var site: GEMMCallSite
        var transA: Transpose, transB: Transpose
        var m: Int, n: Int, k: Int
        var seconds: [Double]
        var name: String { site.description }
        var transposes: String { "\(transA)\(transB)" }
    }
    private(set) var sites: [Site] = []
    private var step = 0

    func reset() { sites = []; step = 0 }
    func startStep() { step += 1 }

    func record(site: GEMMCallSite, transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int, seconds: Double) {
        if let index = sites.firstIndex(where: { $0.site == site }) {
            // Calls of one site within one step add up.
            if sites[index].seconds.count == step { sites[index].seconds[step - 1] += seconds }
            else { sites[index].seconds.append(seconds) }
        } else {
            sites.append(Site(site: site, transA: transA, transB: transB, m: m, n: n, k: k, seconds: [seconds]))
        }
    }
}
