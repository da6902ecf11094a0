import ArgumentParser
import Foundation
import LinearAlgebra
import MallocCounter
import NeuralNetwork
import SVGChart

/// `mlp-bench train`: the standard network (784-256-128-10, ReLU, softmax + cross-entropy,
/// plain SGD with learning rate 0.1, He-normal weights) per backend and thread count, the
/// figures `Benchmarks/peers/peer_benchmark.py` gives for PyTorch, numpy and JAX:
///
/// - microseconds per training step (``Trainer/step(inputs:targets:learningRate:)``: copy of the
///   batch into the workspace, forward, loss, backward, update) on a fixed batch of 32, 128, 256;
/// - seconds and samples/s for a full Fashion-MNIST epoch at batch 128, shuffled, batch
///   assembly included (``Trainer/train(on:onBatch:onEpoch:)``; random data of the same shape
///   when the files are missing, which the header says);
/// - inference samples/s at batch 1024 (forward + softmax, into a kept workspace).
///
/// Before timing, each backend's backpropagation on one batch is compared with the reference
/// backend's (normwise relative difference of every Z, A, Delta, dW, db), and the heap
/// allocations of 100 steps after the first are counted (MallocCounter): both columns of the table.
/// Steps are timed with the backends of one thread count and batch size in alternation
/// (``interleavedMedianSeconds(budget:samples:pauses:_:)``).
struct TrainBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time training steps, an epoch and inference of the standard MLP per backend and thread count.")

    @OptionGroup var selection: BackendSelection

    @Option(help: ArgumentHelp("Batch sizes of the step timings (default: 32,128,256).", valueName: "n,n,..."),
            transform: { try parseList($0, Int.init) })
    var batches: [Int] = [32, 128, 256]

    @Option(help: "Fashion-MNIST IDX folder (random data of the same shape when missing).")
    var data = "/usr/share/datasets/fashion-mnist"

    @Option(help: "Timed epochs per backend and thread count (the median is reported; default 3).")
    var epochs = 3

    @Option(help: ArgumentHelp("Also write the results as JSON to this file.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Also write a chart of step time against batch size per backend (SVG).", valueName: "file"))
    var svg: String?

    @Flag(help: "A short run: shorter time per figure, one epoch.")
    var quick = false

    @Option(help: "Busy-looping processes to start for the whole run and stop at its end (a shared machine; default 0).")
    var competingLoad = 0

    @Option(help: "standard (784-256-128-10, ReLU) or batchnorm-dropout (the same with BatchNorm, ReLU, Dropout 0.2 after each hidden layer).")
    var network: BenchmarkNetwork = .standard

    static let sizes = [784, 256, 128, 10]
    static let learningRate: Float = 0.1
    static let inferenceBatch = 1024

    func validate() throws {
        guard batches.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--batches: every size must be >= 1") }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard competingLoad >= 0 else { throw ValidationError("--competing-load must be at least 0") }
    }

    func run() throws {
        let kinds = selection.kinds
        let load = try CompetingLoad.start(competingLoad)
        defer { load.stop() }
        if competingLoad > 0 { print("competing load: \(competingLoad) busy-looping processes, pids \(load.processIdentifiers)") }
        let (dataset, dataNote) = Self.loadData(data)
        let network = try self.network.make()
        print("mlp-bench train: \(self.network.title) relu/softmax+CE, SGD lr 0.1; data: \(dataNote)")
        print("machine at start: \(machineState()); allocation counter \(mallocCounterIsActive() != 0 ? "active" : "NOT active")")
        var records: [TrainRecord] = []
        var states: [String] = []
        for threadCount in selection.threads {
            let before = Int(coreRoundTripNanoseconds().rounded())
            let made = try kinds.map { try $0.make(threads: threadCount) }
            var rows = made.map { TrainRecord(backend: $0.name, threads: threadCount) }
            // Verified once, against the reference backend, before anything is timed.
            let batch = Self.batch(rows: 128, from: dataset)
            let reference = try network.backpropagationTrace(inputs: batch.inputs, targets: batch.targets, backend: ReferenceBackend())
            for (index, backend) in made.enumerated() {
                let trace = try network.backpropagationTrace(inputs: batch.inputs, targets: batch.targets, backend: backend)
                rows[index].maxRelativeDifference = Self.worstDifference(trace, from: reference, network: network)
            }
            let budget: Duration = quick ? .milliseconds(150) : .milliseconds(400)
            for size in batches {
                let batch = Self.batch(rows: size, from: dataset)
                let trainers = try made.map { try Self.trainer(network, $0, batchSize: size) }
                // SWIFTMLP_MALLOC_TRAP=1 under a debugger: stop at the first allocation of the counted steps.
                let trap: Int32 = ProcessInfo.processInfo.environment["SWIFTMLP_MALLOC_TRAP"] != nil ? 1 : 0
                for (index, trainer) in trainers.enumerated() {
                    try trainer.step(inputs: batch.inputs, targets: batch.targets)
                    let before = mallocCounterAllocations()
                    mallocCounterArmTrap(trap)
                    for _ in 0..<100 { try trainer.step(inputs: batch.inputs, targets: batch.targets) }
                    mallocCounterArmTrap(0)
                    let allocations = Int(mallocCounterAllocations() - before)
                    rows[index].allocationsPer100Steps[String(size)] = allocations
                }
                let works = trainers.map { trainer in { _ = try? trainer.step(inputs: batch.inputs, targets: batch.targets) } }
                let seconds = interleavedMedianSeconds(budget: budget * made.count, works)
                for index in made.indices { rows[index].stepMicroseconds[String(size)] = seconds[index] * 1e6 }
            }
            // Inference at batch 1024, into kept buffers.
            let inference = Self.batch(rows: Self.inferenceBatch, from: dataset)
            let workspaces = made.map { _ in Workspace(for: network, capacity: Self.inferenceBatch) }
            var outputs = made.map { _ in Matrix(rows: Self.inferenceBatch, columns: network.outputSize) }
            let works: [() -> Void] = made.indices.map { index in
                { _ = try? network.predict(inference.inputs, into: &outputs[index], workspace: workspaces[index], backend: made[index]) }
            }
            let seconds = interleavedMedianSeconds(budget: budget * made.count, works)
            for index in made.indices { rows[index].inferenceSamplesPerSecond = Double(Self.inferenceBatch) / seconds[index] }
            // Epochs, alternating the backends epoch by epoch.
            var epochSeconds = [[Double]](repeating: [], count: made.count)
            var accuracies = [Double](repeating: 0, count: made.count)
            for _ in 0..<(quick ? 1 : epochs) {
                for (index, backend) in made.enumerated() {
                    let trainer = try Self.trainer(network, backend, batchSize: 128)
                    let history = try trainer.train(on: dataset.training)
                    epochSeconds[index].append(history.epochs[0].seconds)
                    if let test = dataset.test { accuracies[index] = try trainer.evaluate(test).accuracy ?? 0 }
                }
            }
            for index in made.indices {
                let seconds = median(epochSeconds[index])
                rows[index].epochSeconds = seconds
                rows[index].epochSamplesPerSecond = Double(dataset.training.count) / seconds
                rows[index].testAccuracy = dataset.test == nil ? nil : accuracies[index]
            }
            records += rows
            states.append("\(threadCount) thread(s): core-to-core round trip \(before) ns before, \(Int(coreRoundTripNanoseconds().rounded())) ns after")
        }
        print(report(records))
        for state in states { print(state) }
        print("machine at end: \(machineState())")
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(TrainReport(data: dataNote, records: records)).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
        if let svg {
            let series = records.map { record in
                LineChart.Series(name: "\(record.backend), \(record.threads) thr",
                                 points: batches.compactMap { size in record.stepMicroseconds[String(size)].map { (Double(size), $0) } })
            }
            let chart = LineChart(title: "Training step, \(self.network.title), SGD", xLabel: "batch size",
                                  yLabel: "microseconds per step", series: series, logarithmicX: true)
            try chart.svg().write(toFile: svg, atomically: true, encoding: .utf8)
        }
    }

    /// The aligned table: one row per backend and thread count.
    func report(_ records: [TrainRecord]) -> String {
        var columns: [(header: String, alignment: Table.Alignment)] = [("backend", .left), ("thr", .right)]
        for size in batches { columns.append(("step us @\(size)", .right)) }
        columns += [("epoch s", .right), ("epoch samples/s", .right), ("infer samples/s", .right), ("test acc", .right),
                    ("allocs/100 steps", .right), ("vs reference", .right)]
        var table = Table(columns)
        for record in records {
            var cells = [record.backend, "\(record.threads)"]
            for size in batches {
                let step: Double? = record.stepMicroseconds[String(size)]
                cells.append(step.map { String(format: "%.1f", $0) } ?? "-")
            }
            let accuracy: String = record.testAccuracy.map { String(format: "%.4f", $0) } ?? "-"
            let allocations: [String] = batches.map { "\(record.allocationsPer100Steps[String($0)] ?? -1)" }
            cells.append(String(format: "%.3f", record.epochSeconds))
            cells.append(String(format: "%.0f", record.epochSamplesPerSecond))
            cells.append(String(format: "%.0f", record.inferenceSamplesPerSecond))
            cells.append(accuracy)
            cells.append(allocations.joined(separator: "/"))
            cells.append(String(format: "%.1e", record.maxRelativeDifference))
            table.append(cells)
        }
        return table.rendered
    }

    /// The largest relative difference of a trace from the reference's, layer by layer; the
    /// bias gradient of a layer that feeds a BatchNorm is left out: it is 0 in exact arithmetic
    /// (the batch mean removes the bias), so its rounding noise has no relative size.
    static func worstDifference(_ trace: BackpropagationTrace, from reference: BackpropagationTrace, network: Network) -> Double {
        zip(trace.differences(from: reference), network.kinds.indices).map { difference, l in
            let feedsBatchNorm = l + 1 < network.kinds.count && network.kinds[l + 1] is BatchNorm
            return feedsBatchNorm ? max(difference.preactivation, difference.output, difference.delta, difference.weightGradient)
                                  : difference.worst
        }.max() ?? 0
    }

    static func trainer(_ network: Network, _ backend: any GEMMBackend, batchSize: Int) throws -> Trainer<SGD> {
        try Trainer(network: network, optimizer: SGD(learningRate: learningRate), backend: backend,
                    options: TrainingOptions(batchSize: batchSize, epochs: 1, shuffle: true, seed: 1))
    }

    /// The first `rows` training samples as matrices (inputs, one-hot targets).
    static func batch(rows: Int, from data: BenchmarkData) -> (inputs: Matrix, targets: Matrix) {
        let set = data.training
        var inputs = Matrix(rows: rows, columns: set.featureCount)
        var targets = Matrix(rows: rows, columns: set.targetWidth)
        inputs.withUnsafeMutableBufferPointer { x in
            targets.withUnsafeMutableBufferPointer { y in
                set.copyBatch((0..<rows).map { $0 % set.count }, inputs: x.baseAddress!, targets: y.baseAddress!)
            }
        }
        return (inputs, targets)
    }

    /// Fashion-MNIST from `data`, or 60,000 random images and labels of the same shape.
    static func loadData(_ data: String) -> (BenchmarkData, String) {
        if let (training, test) = try? IDXFolder.load(data, classCount: 10) {
            return (BenchmarkData(training: training, test: test), "fashion-mnist (\(data))")
        }
        var generator = SeededGenerator(seed: 1)
        let count = 60_000, width = 784
        let bytes = (0..<(count * width)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let labels = (0..<count).map { _ in Int32.random(in: 0..<10, using: &generator) }
        let training = try! Dataset(count: count, featureCount: width, features: .bytes(bytes, scale: 1 / 255),
                               targets: .classes(labels, classCount: 10))
        return (BenchmarkData(training: training, test: nil),
                "random data (\(data) not readable): timings valid, accuracy meaningless")
    }
}

/// The networks `mlp-bench train` times.
enum BenchmarkNetwork: String, ExpressibleByArgument, CaseIterable {
    /// 784-256-128-10, ReLU hidden layers, softmax output.
    case standard
    /// The same sizes with BatchNorm, ReLU and Dropout 0.2 after each hidden Dense layer (the
    /// peer script's `torch-bn-dropout`).
    case batchnormDropout = "batchnorm-dropout"

    var title: String {
        switch self {
        case .standard: "784-256-128-10"
        case .batchnormDropout: "784-256-128-10 with BatchNorm and Dropout 0.2"
        }
    }

    func make() throws -> Network {
        let architecture = Architecture(sizes: TrainBenchmark.sizes, hiddenActivation: .relu, outputActivation: .softmax, loss: .crossEntropy,
                                        normalization: self == .batchnormDropout ? .batch : nil, dropout: self == .batchnormDropout ? 0.2 : 0)
        return try architecture.makeNetwork(initializer: .heNormal, seed: 1)
    }
}

/// The training and (when read from files) test sets.
struct BenchmarkData {
    var training: Dataset
    var test: Dataset?
}

/// One backend at one thread count.
struct TrainRecord: Encodable {
    var backend: String
    var threads: Int
    /// Per batch size (as a string key): median microseconds per step.
    var stepMicroseconds: [String: Double] = [:]
    /// Per batch size: heap allocations during 100 steps after the first.
    var allocationsPer100Steps: [String: Int] = [:]
    var epochSeconds = 0.0
    var epochSamplesPerSecond = 0.0
    var inferenceSamplesPerSecond = 0.0
    var testAccuracy: Double?
    /// Largest normwise relative difference of one backpropagation from the reference backend's.
    var maxRelativeDifference = 0.0
}

struct TrainReport: Encodable {
    var data: String
    var records: [TrainRecord]
}
