import ArgumentParser
import NeuralNetwork

/// `mlp gradcheck`: backpropagation against central finite differences for an architecture.
struct GradCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcheck",
        abstract: "Check backpropagation against central finite differences; print the worst relative error per layer.",
        discussion: "Random inputs and targets (from --seed) on a network of the given architecture. Exit status 1 when an error exceeds --tolerance.")

    @OptionGroup var architectureOptions: ArchitectureOptions
    @OptionGroup var compute: ComputeOptions
    @Option(parsing: .unconditional, help: "Samples in the checked batch.")
    var batchSize = 8
    @Option(parsing: .unconditional, help: "Seed of the weights, inputs and targets.")
    var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "The largest acceptable relative error.")
    var tolerance = 1e-3

    func run() throws {
        guard batchSize >= 1 else { throw CommandError("--batch-size must be at least 1, got \(batchSize)") }
        let architecture = try architectureOptions.architecture(defaultSizes: [4, 5, 3])
        let width = max(architecture.sizes.first ?? 1, architecture.sizes.last ?? 1)
        guard let bytes = CheckedSize.product(batchSize, width, 2 * MemoryLayout<Float>.size), bytes <= ModelSizeLimit.physicalMemory() / 2 else {
            throw CommandError("--batch-size \(batchSize): a batch of \(batchSize) rows of \(width) values needs more than half this machine's "
                               + "\(ModelSizeLimit.byteText(ModelSizeLimit.physicalMemory())) of memory")
        }
        let network = try architecture.makeNetwork(initializer: .xavierNormal, biasInitializer: .normal(standardDeviation: 0.1), seed: seed)
        var generator = SeededGenerator(seed: seed &+ 1)
        let inputs = Matrix(rows: batchSize, columns: network.inputSize,
                            elements: (0..<(batchSize * network.inputSize)).map { _ in Float(generator.nextNormal()) })
        var targets = Matrix(rows: batchSize, columns: network.outputSize)
        for i in 0..<batchSize {
            switch architecture.loss {
            case .crossEntropy: targets[i, generator.nextIndex(below: network.outputSize)] = 1
            case .binaryCrossEntropy: for j in 0..<network.outputSize { targets[i, j] = Float(generator.nextIndex(below: 2)) }
            case .quadratic: for j in 0..<network.outputSize { targets[i, j] = Float(generator.nextNormal()) }
            }
        }
        let backend = try compute.make()
        let report = try GradientCheck.check(network, inputs: inputs, targets: targets, backend: backend)
        print("gradient check of \(architecture), batch \(batchSize), backend \(backend.name)")
        print("layer  weights     bias")
        for (l, layer) in report.layers.enumerated() {
            print(pad("\(l)", 5) + "  " + pad(scientific(layer.weights), 10) + "  " + scientific(layer.bias))
        }
        let passed = report.worst <= tolerance
        print("worst \(scientific(report.worst)): " + (passed ? "ok" : "FAILED (tolerance \(scientific(tolerance)))"))
        if !passed { throw ExitCode.failure }
    }
}
