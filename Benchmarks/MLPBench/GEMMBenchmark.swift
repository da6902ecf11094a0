import ArgumentParser
import Foundation
import LinearAlgebra
import NeuralNetwork
import SVGChart

/// `mlp-bench gemm`: every fast GEMM backend on square, odd and MLP shapes, checked against
/// the reference, then timed.
///
/// For each product C = op(A) op(B) (alpha 1, beta 0, operands uniform in [-1, 1]) and each
/// backend and thread count, the result is first compared with ``ReferenceBackend`` (every
/// row when m n k <= 2^25, otherwise 16 evenly spaced rows, which the `check` column says),
/// then timed, the backends of one shape and thread count in alternation so that passing load
/// from other processes hits them alike (see ``interleavedMedianSeconds(budget:samples:pauses:_:)``):
/// GFLOP/s = 2 m n k / median time,
/// and the ratio to OpenBLAS at the same thread count.
struct GEMMBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Time the GEMM backends against each other and check them against the reference.")

    @Option(help: ArgumentHelp("Square sizes n (n x n x n, no transposes), comma-separated (default: 64,128,256,512,1024,2048,63,65,127,257,1000 unless --shapes is given).", valueName: "n,n,..."),
            transform: { try parseList($0, Int.init) })
    var sizes: [Int]?

    @Option(help: ArgumentHelp("Explicit shapes m x n x k, comma-separated, each run with every --transposes (default: 128x784x256,128x256x784,256x128x784,256x784x128 unless --sizes is given).",
                               valueName: "MxNxK,..."),
            transform: { try parseList($0, Shape.init) })
    var shapes: [Shape]?

    @Option(help: ArgumentHelp("Transpose pairs (op(A), op(B)) for the explicit shapes (default: all four).", valueName: "NN,NT,TN,TT"),
            transform: { try parseList($0, TransposePair.init) })
    var transposes: [TransposePair] = TransposePair.all

    @Option(help: ArgumentHelp("Thread counts, comma-separated (default: 1,2).", valueName: "t,t,..."),
            transform: { try parseList($0, Int.init) })
    var threads: [Int] = [1, 2]

    @Option(help: ArgumentHelp("Backends to time, comma-separated (default: every compiled fast backend).",
                               valueName: "swift,openblas"),
            transform: { try parseList($0, BackendKind.init(rawValue:)) })
    var backends: [BackendKind]?

    @Option(help: ArgumentHelp("Also write the results as a JSON list to this file.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Also write a chart of GFLOP/s against square size per backend and thread count (SVG).", valueName: "file"))
    var svg: String?

    @Flag(help: "A short run: sizes 64 and 256, the MLP forward shape, a shorter time per entry.")
    var quick = false

    /// The default square sizes: powers of two, and odd sizes that exercise the edge tiles.
    static let defaultSizes = [64, 128, 256, 512, 1024, 2048, 63, 65, 127, 257, 1000]
    /// The default MLP shapes (m x n x k): a 784-256 layer at batch 128 and its neighbours.
    static let defaultShapes = [
        Shape(m: 128, n: 784, k: 256), Shape(m: 128, n: 256, k: 784),
        Shape(m: 256, n: 128, k: 784), Shape(m: 256, n: 784, k: 128),
    ]

    func validate() throws {
        guard threads.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads: every count must be >= 1") }
        guard (sizes ?? []).allSatisfy({ $0 >= 1 }) else { throw ValidationError("--sizes: every size must be >= 1") }
        for kind in backends ?? [] where !kind.isAvailable {
            throw ValidationError(BackendError.notCompiled(kind).description)
        }
    }

    func run() throws {
        let cases = benchmarkCases()
        let budget: Duration = quick ? .milliseconds(50) : .milliseconds(200)
        var records: [Record] = []
        for product in cases {
            let operands = Operands(product)
            let check = operands.referenceCheck()
            for threadCount in threads {
                // OpenBLAS first: the yardstick for the ratio.
                let kinds = BackendKind.fast.reversed().filter { backends?.contains($0) ?? true }
                records += measure(try kinds.map { try $0.make(threads: threadCount) }, operands, check, budget: budget)
            }
        }
        print(report(records))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(records).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
        if let svg { try chart(records).svg().write(toFile: svg, atomically: true, encoding: .utf8) }
    }

    /// The products to run: squares without transposes, then the explicit shapes with each pair.
    func benchmarkCases() -> [Product] {
        let squareSizes = sizes ?? (shapes == nil ? (quick ? [64, 256] : Self.defaultSizes) : [])
        let explicit = shapes ?? (sizes == nil ? (quick ? [Shape(m: 128, n: 256, k: 784)] : Self.defaultShapes) : [])
        let pairs = (quick && shapes == nil) ? [TransposePair(.none, .transposed)] : transposes
        return squareSizes.map { Product(shape: Shape(m: $0, n: $0, k: $0), pair: TransposePair(.none, .none)) }
            + explicit.flatMap { shape in pairs.map { Product(shape: shape, pair: $0) } }
    }

    /// Checks each backend once on `operands`, then times them all in alternation.
    func measure(_ backends: [any GEMMBackend], _ operands: Operands, _ check: ReferenceCheck,
                 budget: Duration) -> [Record] {
        let shape = operands.product.shape
        var results = backends.map { _ in Matrix(rows: shape.m, columns: shape.n, repeating: .nan) }
        var errors: [Double] = []
        for index in backends.indices {
            operands.multiply(backends[index], into: &results[index])
            errors.append(check.maxRelativeError(of: results[index]))
        }
        let works = backends.indices.map { index in { operands.multiply(backends[index], into: &results[index]) } }
        let seconds = interleavedMedianSeconds(budget: budget * backends.count, works)
        // The machine's state right after the timing (see machineState()): 2-thread rows taken
        // with a slow core-to-core round trip are not comparable with the others.
        let roundTrip = coreRoundTripNanoseconds(rounds: 5_000)
        return backends.indices.map { index in
            Record(
                backend: backends[index].name, m: shape.m, n: shape.n, k: shape.k,
                transA: operands.product.pair.a.description, transB: operands.product.pair.b.description,
                threads: backends[index].threads,
                gflops: 2 * Double(shape.m) * Double(shape.n) * Double(shape.k) / seconds[index] / 1e9,
                maxRelativeError: errors[index], check: check.description, roundTripNanoseconds: roundTrip)
        }
    }

    /// GFLOP/s against n for the square products, one line per backend and thread count.
    func chart(_ records: [Record]) -> LineChart {
        let squares = records.filter { $0.m == $0.n && $0.n == $0.k && $0.transA == "N" && $0.transB == "N" }
        var keys: [String] = []
        for record in squares where !keys.contains("\(record.backend), \(record.threads) thr") {
            keys.append("\(record.backend), \(record.threads) thr")
        }
        let series = keys.map { key in
            LineChart.Series(name: key, points: squares.filter { "\($0.backend), \($0.threads) thr" == key }
                .sorted { $0.n < $1.n }.map { (Double($0.n), $0.gflops) })
        }
        return LineChart(title: "SGEMM, n x n x n", xLabel: "n", yLabel: "GFLOP/s", series: series, logarithmicX: true)
    }

    /// The aligned table of all records, with each one's ratio to OpenBLAS.
    func report(_ records: [Record]) -> String {
        var table = Table([
            ("shape m x n x k", .left), ("op", .left), ("backend", .left), ("threads", .right),
            ("GFLOP/s", .right), ("vs openblas", .right), ("max rel. error", .right), ("check", .left),
            ("core rt ns", .right),
        ])
        for record in records {
            let yardstick = records.first {
                $0.backend == "openblas" && $0.m == record.m && $0.n == record.n && $0.k == record.k
                    && $0.transA == record.transA && $0.transB == record.transB && $0.threads == record.threads
            }
            table.append([
                "\(record.m)x\(record.n)x\(record.k)", record.transA + record.transB, record.backend,
                "\(record.threads)", String(format: "%.1f", record.gflops),
                yardstick.map { String(format: "%.2f", record.gflops / $0.gflops) } ?? "-",
                String(format: "%.1e", record.maxRelativeError), record.check,
                String(Int(record.roundTripNanoseconds.rounded())),
            ])
        }
        return table.rendered
    }
}

/// One line of the results, as the table shows it and `--json` writes it.
struct Record: Encodable {
    var backend: String
    var m: Int, n: Int, k: Int
    var transA: String, transB: String
    var threads: Int
    var gflops: Double
    var maxRelativeError: Double
    /// How the result was checked (not in the JSON).
    var check: String
    /// The core-to-core round trip measured right after the timing (``coreRoundTripNanoseconds(rounds:)``).
    var roundTripNanoseconds: Double

    enum CodingKeys: String, CodingKey {
        case backend, m, n, k, transA, transB, threads, gflops, maxRelativeError, roundTripNanoseconds
    }
}

/// A product shape: op(A) is m x k, op(B) is k x n, C is m x n.
struct Shape: Equatable {
    var m: Int, n: Int, k: Int

    init(m: Int, n: Int, k: Int) { (self.m, self.n, self.k) = (m, n, k) }

    /// Parses `MxNxK`.
    init?(_ text: String) {
        let parts = text.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 3, parts.allSatisfy({ $0 >= 1 }) else { return nil }
        self.init(m: parts[0], n: parts[1], k: parts[2])
    }
}

/// op(A) and op(B) of a product, written as BLAS does: `NT` is A times B transposed.
struct TransposePair: Equatable {
    var a: Transpose, b: Transpose

    init(_ a: Transpose, _ b: Transpose) { (self.a, self.b) = (a, b) }

    init?(_ text: String) {
        let letters = Array(text.uppercased())
        func parse(_ letter: Character) -> Transpose? { letter == "N" ? Transpose.none : letter == "T" ? .transposed : nil }
        guard letters.count == 2, let a = parse(letters[0]), let b = parse(letters[1]) else { return nil }
        self.init(a, b)
    }

    static let all = [TransposePair(.none, .none), TransposePair(.none, .transposed),
                      TransposePair(.transposed, .none), TransposePair(.transposed, .transposed)]
}

/// One benchmarked product: a shape and its transposes.
struct Product {
    var shape: Shape
    var pair: TransposePair
}


/// The stored operands of one product, filled with reproducible uniform values in [-1, 1].
struct Operands {
    let product: Product
    /// A as stored: m x k, or k x m when transposed.
    let a: Matrix
    /// B as stored: k x n, or n x k when transposed.
    let b: Matrix

    init(_ product: Product) {
        self.product = product
        let (m, n, k) = (product.shape.m, product.shape.n, product.shape.k)
        var generator = SeededGenerator(seed: UInt64(m * 1_000_003 + n * 1_009 + k))
        a = product.pair.a == .none ? .random(m, k, &generator) : .random(k, m, &generator)
        b = product.pair.b == .none ? .random(k, n, &generator) : .random(n, k, &generator)
    }

    /// C <- op(A) op(B) with `backend`.
    func multiply(_ backend: any GEMMBackend, into c: inout Matrix) {
        backend.gemm(a, product.pair.a, b, product.pair.b, into: &c)
    }

    /// The reference result, on every row when the product is small enough, otherwise on 16.
    func referenceCheck() -> ReferenceCheck {
        let (m, n, k) = (product.shape.m, product.shape.n, product.shape.k)
        let rows = m * n * k <= 1 << 25 ? Array(0..<m) : (0..<min(16, m)).map { $0 * (m - 1) / max(1, min(16, m) - 1) }
        var expected = Matrix(rows: rows.count, columns: n)
        let reference = ReferenceBackend()
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                expected.withUnsafeMutableBufferPointer { pc in
                    for (index, row) in rows.enumerated() {
                        // Row `row` of op(A) as a 1 x k matrix with the same leading dimension.
                        let rowA = product.pair.a == .none ? pa.baseAddress! + row * a.columns : pa.baseAddress! + row
                        reference.gemm(transA: product.pair.a, transB: product.pair.b, m: 1, n: n, k: k, alpha: 1,
                                       a: rowA, lda: a.columns, b: pb.baseAddress, ldb: b.columns,
                                       beta: 0, c: pc.baseAddress! + index * n, ldc: n)
                    }
                }
            }
        }
        return ReferenceCheck(rows: rows, expected: expected, allRows: rows.count == m)
    }
}

/// The reference values of some rows of C, and the comparison of a result with them.
struct ReferenceCheck: CustomStringConvertible {
    let rows: [Int]
    let expected: Matrix
    let allRows: Bool

    /// maxRelativeDifference of the checked rows of `c` against the reference.
    func maxRelativeError(of c: Matrix) -> Double {
        var got = Matrix(rows: rows.count, columns: c.columns)
        for (index, row) in rows.enumerated() {
            for j in 0..<c.columns { got[index, j] = c[row, j] }
        }
        return maxRelativeDifference(got, expected)
    }

    var description: String { allRows ? "reference" : "reference, \(rows.count) rows" }
}
