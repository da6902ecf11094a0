import ArgumentParser
import Foundation
import LinearAlgebra

/// `mlp-bench calibrate`: measures, per thread count, which of the Swift kernel and OpenBLAS
/// is faster for the products an MLP makes, and writes the ``CrossoverTable`` that
/// ``AutoBackend`` (`--backend auto`) chooses from.
///
/// The shapes: for every batch size and every layer (inputs -> outputs) of the listed sizes,
/// the three products of a training step, forward `NT` (batch x outputs x inputs), weight
/// gradient `TN` (outputs x inputs x batch) and propagated error `NN` (batch x inputs x
/// outputs); and square products without transposes. Each is checked against the reference
/// once, then both backends are timed in alternation (as in `mlp-bench gemm`).
struct CalibrateBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure the Swift/OpenBLAS crossover per shape and thread count; write the table --backend auto uses.")

    @Option(help: ArgumentHelp("Thread counts (default: 1,2).", valueName: "t,t,..."), transform: { try parseList($0, Int.init) })
    var threads: [Int] = [1, 2]

    @Option(help: ArgumentHelp("Batch sizes (default: 1,8,16,32,64,128,256,512,1024).", valueName: "n,n,..."),
            transform: { try parseList($0, Int.init) })
    var batches: [Int] = [1, 8, 16, 32, 64, 128, 256, 512, 1024]

    @Option(help: ArgumentHelp("Layer sizes whose consecutive pairs are the layers (default: 784,256,128,10).", valueName: "n,n,..."),
            transform: { try parseList($0, Int.init) })
    var layers: [Int] = [784, 256, 128, 10]

    @Option(help: ArgumentHelp("Square sizes (default: 64,128,256,512,1024).", valueName: "n,n,..."),
            transform: { try parseList($0, Int.init) })
    var squares: [Int] = [64, 128, 256, 512, 1024]

    @Option(help: ArgumentHelp("Write the table here instead of the default location (see --save).", valueName: "file"))
    var output: String?

    @Flag(help: "Write the table where `mlp --backend auto` looks for it: $SWIFTMLP_CROSSOVER, else $XDG_CONFIG_HOME/swiftmlp/crossover.json, else ~/.config/swiftmlp/crossover.json (tagged with this build's kernel kind and this CPU; ignored by other builds and machines).")
    var save = false

    @Option(help: ArgumentHelp("Also write the table as the Swift source of the compiled kernel's built-in table (Sources/LinearAlgebra/CrossoverTable+<kind>.swift).", valueName: "file"))
    var swiftSource: String?

    @Flag(help: "A short run (less time per shape).")
    var quick = false

    func validate() throws {
        guard BackendKind.openblas.isAvailable else {
            throw ValidationError("calibrate compares the Swift kernel with OpenBLAS: build with the OpenBLAS trait")
        }
        guard threads.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads: every count must be >= 1") }
    }

    /// The products to measure, as (transposes, shape).
    func products() -> [Product] {
        var list: [Product] = []
        for batch in batches {
            for (inputs, outputs) in zip(layers, layers.dropFirst()) {
                list.append(Product(shape: Shape(m: batch, n: outputs, k: inputs), pair: TransposePair(.none, .transposed)))
                list.append(Product(shape: Shape(m: outputs, n: inputs, k: batch), pair: TransposePair(.transposed, .none)))
                list.append(Product(shape: Shape(m: batch, n: inputs, k: outputs), pair: TransposePair(.none, .none)))
            }
        }
        list += squares.map { Product(shape: Shape(m: $0, n: $0, k: $0), pair: TransposePair(.none, .none)) }
        return list
    }

    func run() throws {
        let budget: Duration = quick ? .milliseconds(20) : .milliseconds(60)
        var entries: [CrossoverTable.Entry] = []
        var table = Table([("shape m x n x k", .left), ("op", .left), ("threads", .right), ("swift us", .right),
                           ("openblas us", .right), ("openblas/swift", .right), ("winner", .left)])
        print("machine at start: \(machineState())")
        for threadCount in threads {
            let swift = try BackendKind.swift.make(threads: threadCount)
            let openblas = try BackendKind.openblas.make(threads: threadCount)
            for product in products() {
                let operands = Operands(product)
                let check = operands.referenceCheck()
                var results = [Matrix](repeating: Matrix(rows: product.shape.m, columns: product.shape.n, repeating: .nan), count: 2)
                let backends = [swift, openblas]
                for index in 0..<2 {
                    operands.multiply(backends[index], into: &results[index])
                    let error = check.maxRelativeError(of: results[index])
                    guard error < 1e-4 else {
                        throw ValidationError("\(backends[index].name) is wrong on \(product.shape): relative error \(error)")
                    }
                }
                let works = (0..<2).map { index in { operands.multiply(backends[index], into: &results[index]) } }
                let seconds = interleavedMedianSeconds(budget: budget * 2, samples: 5, works)
                let entry = CrossoverTable.Entry(
                    threads: threadCount, transA: product.pair.a, transB: product.pair.b,
                    m: product.shape.m, n: product.shape.n, k: product.shape.k,
                    swiftSeconds: seconds[0], openblasSeconds: seconds[1])
                entries.append(entry)
                table.append(["\(entry.m)x\(entry.n)x\(entry.k)", entry.transA + entry.transB, "\(threadCount)",
                              String(format: "%.1f", seconds[0] * 1e6), String(format: "%.1f", seconds[1] * 1e6),
                              String(format: "%.2f", seconds[1] / seconds[0]), entry.winner.rawValue])
            }
        }
        print(table.rendered)
        print("machine at end: \(machineState())")
        let host = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let stamp = ISO8601DateFormatter().string(from: Date())
        let crossover = CrossoverTable(
            source: "mlp-bench calibrate, \(host), \(GEMMKernelKind.compiled) kernel, \(stamp)",
            kernel: .compiled, cpu: CrossoverTable.currentCPU, entries: entries)
        let destination = output ?? (save ? CrossoverTable.path() : nil)
        if let destination {
            let url = URL(fileURLWithPath: destination)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try crossover.json().write(to: url, options: .atomic)
            print("wrote \(destination)")
        }
        if let swiftSource {
            try Self.source(of: crossover).write(toFile: swiftSource, atomically: true, encoding: .utf8)
            print("wrote \(swiftSource)")
        }
    }

    /// `CrossoverTable+BuiltIn.swift` holding `table`.
    static func source(of table: CrossoverTable) -> String {
        func transpose(_ text: String) -> String { text == "T" ? ".transposed" : ".none" }
        let lines = table.entries.map { e in
            "        Entry(threads: \(e.threads), transA: \(transpose(e.transA)), transB: \(transpose(e.transB)), "
                + "m: \(e.m), n: \(e.n), k: \(e.k), swiftSeconds: \(String(format: "%.3e", e.swiftSeconds)), "
                + "openblasSeconds: \(String(format: "%.3e", e.openblasSeconds))),"
        }
        let kind = table.kernel ?? .compiled
        let name = switch kind {
        case .portable: "builtInPortable"
        case .avx2: "builtInAVX2"
        case .avx512: "builtInAVX512"
        }
        return """
            // Generated by `mlp-bench calibrate --swift-source FILE` in a build whose Swift kernel is
            // `\(kind)`, on \(table.cpu ?? "an unknown CPU").
            extension CrossoverTable {
                /// The built-in table of the ``GEMMKernelKind/\(kind)`` kernel (see ``builtIn(for:)``).
                static let \(name) = CrossoverTable(source: \(String(reflecting: table.source)), kernel: .\(kind), entries: [
            \(lines.joined(separator: "\n"))
                ])
            }

            """
    }
}
