import FoundationEssentials

/// Which fast GEMM backend is quicker for which product: the measurements behind
/// ``AutoBackend``.
///
/// Each ``Entry`` is one product shape (m, n, k and the transposes) at one thread count, with
/// the median seconds of the pure-Swift kernel and of OpenBLAS as `mlp-bench calibrate`
/// measured them. A product that is not in the table takes the choice of its nearest entry
/// (same thread count, same transposes when there are any) in log-size distance
///
///     d = (log2 m - log2 m')^2 + (log2 n - log2 n')^2 + (log2 k - log2 k')^2
///
/// so a table of the shapes a network actually multiplies answers for its neighbours too.
///
/// **Where it comes from.** ``load(environment:)`` reads the JSON file at
/// ``path(environment:)`` (`$SWIFTMLP_CROSSOVER`, else `$XDG_CONFIG_HOME/swiftmlp/crossover.json`,
/// else `~/.config/swiftmlp/crossover.json`) that `mlp-bench calibrate --save` writes, and
/// falls back to ``builtIn``, the table measured on the project's machines.
public struct CrossoverTable: Sendable, Equatable, Codable {
    /// One measured product.
    public struct Entry: Sendable, Equatable, Codable {
        /// Threads per product.
        public var threads: Int
        /// op(A) and op(B) as BLAS spells them: `"N"` or `"T"`.
        public var transA: String, transB: String
        /// op(A) is m x k, op(B) k x n.
        public var m: Int, n: Int, k: Int
        /// Median seconds per product.
        public var swiftSeconds: Double, openblasSeconds: Double

        public init(threads: Int, transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int,
                    swiftSeconds: Double, openblasSeconds: Double) {
            self.threads = threads
            self.transA = transA.description
            self.transB = transB.description
            (self.m, self.n, self.k) = (m, n, k)
            self.swiftSeconds = swiftSeconds
            self.openblasSeconds = openblasSeconds
        }

        /// The backend ``AutoBackend`` takes for this product: OpenBLAS when it is faster by more
        /// than ``CrossoverTable/openBLASMargin``, else the Swift kernel.
        public var winner: BackendKind {
            openblasSeconds < swiftSeconds * (1 - CrossoverTable.openBLASMargin) ? .openblas : .swift
        }
    }

    /// The fraction by which OpenBLAS must beat the Swift kernel to be chosen: 5%, so that
    /// timing noise between two near-equal backends does not flip choices from run to run.
    public static let openBLASMargin = 0.05

    /// Where and how the table was measured (CPU, build, date), free text.
    public var source: String
    /// The measured products.
    public var entries: [Entry]

    public init(source: String, entries: [Entry]) {
        self.source = source
        self.entries = entries
    }

    /// The faster backend for a product, from the nearest entry (see the type's documentation);
    /// ``BackendKind/swift`` when the table is empty.
    public func choice(transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int, threads: Int) -> BackendKind {
        CrossoverRules(self, threads: threads).choice(transA: transA, transB: transB, m: m, n: n, k: k)
    }

    // MARK: Files

    /// The file ``load(environment:)`` reads and `mlp-bench calibrate --save` writes:
    /// `$SWIFTMLP_CROSSOVER`, else `$XDG_CONFIG_HOME/swiftmlp/crossover.json`, else
    /// `$HOME/.config/swiftmlp/crossover.json`; nil when none of the three variables is set.
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let explicit = environment["SWIFTMLP_CROSSOVER"], !explicit.isEmpty { return explicit }
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/swiftmlp/crossover.json" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/swiftmlp/crossover.json" }
        return nil
    }

    /// The table in the file at ``path(environment:)``, or ``builtIn`` when there is no such
    /// file or it cannot be read as a table (a broken file never stops a training run).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> CrossoverTable {
        guard let path = path(environment: environment),
              let data = try? Data(contentsOf: URL(fileURLWithPath: path)),
              let table = try? CrossoverTable(json: data)
        else { return builtIn }
        return table
    }

    /// Parses a table written by ``json()``.
    public init(json data: Data) throws {
        self = try JSONDecoder().decode(CrossoverTable.self, from: data)
    }

    /// The table as pretty-printed JSON.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// The entries of a ``CrossoverTable`` for one thread count, with their log sizes computed
/// once, so that a choice per GEMM call costs a short scan and no allocation.
struct CrossoverRules: Sendable {
    private struct Point: Sendable {
        var transA: Transpose, transB: Transpose
        var logM: Float, logN: Float, logK: Float
        var openblasWins: Bool
    }
    private let points: [Point]

    /// The entries measured at the thread count nearest `threads` (ties: the smaller count).
    init(_ table: CrossoverTable, threads: Int) {
        let counts = Set(table.entries.map(\.threads))
        let nearest = counts.min { (abs($0 - threads), $0) < (abs($1 - threads), $1) }
        points = table.entries.filter { $0.threads == nearest }.map { entry in
            Point(transA: entry.transA == "T" ? .transposed : .none, transB: entry.transB == "T" ? .transposed : .none,
                  logM: Self.log2(entry.m), logN: Self.log2(entry.n), logK: Self.log2(entry.k),
                  openblasWins: entry.winner == .openblas)
        }
    }

    static func log2(_ x: Int) -> Float { Float.log2(Float(max(x, 1))) }

    /// The winner of the nearest entry with the same transposes (any transposes when the table
    /// has none of these); swift for an empty table.
    func choice(transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int) -> BackendKind {
        let lm = Self.log2(m), ln = Self.log2(n), lk = Self.log2(k)
        var best = Float.infinity, bestSame = Float.infinity
        var winner = false, winnerSame = false
        for p in points {
            let d = (p.logM - lm) * (p.logM - lm) + (p.logN - ln) * (p.logN - ln) + (p.logK - lk) * (p.logK - lk)
            if d < best { best = d; winner = p.openblasWins }
            if p.transA == transA && p.transB == transB && d < bestSame { bestSame = d; winnerSame = p.openblasWins }
        }
        if bestSame.isFinite { return winnerSame ? .openblas : .swift }
        if best.isFinite { return winner ? .openblas : .swift }
        return .swift
    }
}

extension Float {
    fileprivate static func log2(_ x: Float) -> Float {
        // Exponent plus a linear mantissa: within 0.09 of log2, monotone, and free of libm.
        Float(x.exponent) + (x.significand - 1)
    }
}
