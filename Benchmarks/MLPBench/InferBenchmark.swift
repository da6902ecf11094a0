import ArgumentParser
import Foundation
import LinearAlgebra
import NeuralNetwork

/// `mlp-bench infer`: inference latency of the standard network (784-256-128-10, ReLU,
/// softmax) per backend, batch size and thread count, as a numeric app sees it when it
/// evaluates a model inside its own loop: `Network.predict(_:into:workspace:backend:)` into
/// a kept workspace, one call timed at a time.
///
/// Per (threads, batch) the backends are called in turn, call by call, so that a passing load
/// hits them alike; the table gives the median and the 99th percentile of each backend's
/// calls, and samples/s from the median. Before timing, each backend's output is compared
/// with the reference backend's (largest normwise relative difference).
struct InferBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Inference latency (median, p99) of the standard MLP per backend, batch size and thread count.")

    @OptionGroup var selection: BackendSelection

    @Option(help: ArgumentHelp("Batch sizes (default: 1,8,64,1024).", valueName: "n,n,..."),
            transform: { try parseList($0, Int.init) })
    var batches: [Int] = [1, 8, 64, 1024]

    @Option(help: "Timed calls per backend at batch 1 (fewer for larger batches, at least 50; default 2000).")
    var calls = 2000

    @Option(help: ArgumentHelp("Also write the results as JSON to this file.", valueName: "file"))
    var json: String?

    func validate() throws {
        guard batches.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--batches: every size must be >= 1") }
        guard calls >= 1 else { throw ValidationError("--calls must be at least 1") }
    }

    /// One row of the report.
    struct Record: Codable {
        var backend: String
        var threads: Int
        var batch: Int
        var medianMicroseconds: Double
        var p99Microseconds: Double
        var samplesPerSecond: Double
        var relativeDifference: Double
    }

    func run() throws {
        let kinds = selection.kinds
        let network = try Network(sizes: [784, 256, 128, 10], hiddenActivation: .relu, outputActivation: .softmax,
                                  loss: .crossEntropy, initializer: .heNormal, seed: 1)
        print("mlp-bench infer: 784-256-128-10 relu/softmax, predict into a kept workspace; kernel \(GEMMKernelKind.compiled)")
        print("machine at start: \(machineState())")
        var generator = SeededGenerator(seed: 7)
        var records: [Record] = []
        var table = Table([("backend", .left), ("thr", .right), ("batch", .right), ("median us", .right),
                           ("p99 us", .right), ("samples/s", .right), ("vs reference", .right)])
        for threadCount in selection.threads {
            let made = try kinds.map { try $0.make(threads: threadCount) }
            for batch in batches {
                var inputs = Matrix(rows: batch, columns: 784)
                inputs.withUnsafeMutableBufferPointer { x in
                    for i in x.indices { x[i] = Float(generator.next() % 256) / 255 }
                }
                let expected = try network.predict(inputs, backend: ReferenceBackend())
                let workspaces = made.map { _ in Workspace(for: network, capacity: batch) }
                var outputs = made.map { _ in Matrix(rows: batch, columns: 10) }
                var differences: [Double] = []
                for index in made.indices {
                    try network.predict(inputs, into: &outputs[index], workspace: workspaces[index], backend: made[index])
                    differences.append(maxRelativeDifference(outputs[index], expected))
                }
                // Fewer calls for larger batches: about the same total time per batch size.
                let count = max(50, calls / max(1, batch / 8))
                var times = [[Double]](repeating: [], count: made.count)
                let clock = ContinuousClock()
                for call in 0..<(count + count / 10) {
                    for index in made.indices {
                        let elapsed = clock.measure {
                            try? network.predict(inputs, into: &outputs[index], workspace: workspaces[index], backend: made[index])
                        }
                        // The first tenth warms caches and the pool up and is not counted.
                        if call >= count / 10 { times[index].append(elapsed.seconds) }
                    }
                }
                for index in made.indices {
                    let sorted = times[index].sorted()
                    let medianSeconds = sorted[sorted.count / 2]
                    let p99 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.down)))]
                    let record = Record(backend: made[index].name, threads: threadCount, batch: batch,
                                        medianMicroseconds: medianSeconds * 1e6, p99Microseconds: p99 * 1e6,
                                        samplesPerSecond: Double(batch) / medianSeconds, relativeDifference: differences[index])
                    records.append(record)
                    table.append([record.backend, "\(threadCount)", "\(batch)", String(format: "%.1f", record.medianMicroseconds),
                                  String(format: "%.1f", record.p99Microseconds), String(format: "%.0f", record.samplesPerSecond),
                                  String(format: "%.1e", record.relativeDifference)])
                }
            }
        }
        print(table.rendered)
        print("machine at end: \(machineState())")
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(records).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }
}
