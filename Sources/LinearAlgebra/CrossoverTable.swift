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
/// **Where it comes from.** ``builtIn(for:)``: tables measured per ``GEMMKernelKind`` (where
/// OpenBLAS wins depends on which Swift kernel it competes with), which is all ``AutoBackend``
/// uses unless the caller hands it another. A table that `mlp-bench calibrate --save` measured
/// on this machine is read only when the caller asks (``load(environment:)``, which the `mlp`
/// tool calls; the library never reads a file on its own), and only when the file was measured
/// with the kernel kind this build compiled and on this CPU (``kernel``, ``cpu``): a file
/// measured with another build or another machine is ignored.
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
    /// The Swift kernel the table was measured with; nil in files of before the kinds.
    public var kernel: GEMMKernelKind?
    /// The CPU it was measured on (``currentCPU``); nil when unknown.
    public var cpu: String?
    /// The measured products.
    public var entries: [Entry]

    public init(source: String, kernel: GEMMKernelKind? = nil, cpu: String? = nil, entries: [Entry]) {
        self.source = source
        self.kernel = kernel
        self.cpu = cpu
        self.entries = entries
    }

    /// The built-in table of a kernel kind (by default the one this build compiled).
    public static func builtIn(for kind: GEMMKernelKind = .compiled) -> CrossoverTable {
        switch kind {
        case .portable: builtInPortable
        case .avx2: builtInAVX2
        case .avx512: builtInAVX512
        }
    }

    /// Whether the table was measured with this build's kernel (``GEMMKernelKind/compiled``) on
    /// this CPU (``currentCPU``): what a table from a file must be to be used.
    public var fitsThisBuild: Bool { kernel == .compiled && cpu != nil && cpu == Self.currentCPU }

    /// This machine's CPU as a calibration file is tagged with: the model name, family, model and
    /// stepping of /proc/cpuinfo on Linux, `machdep.cpu.brand_string`-less "unknown" elsewhere.
    public static let currentCPU: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.isEmpty { break }  // the first processor's block is enough
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            fields[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        let name = fields["model name"] ?? "unknown"
        return "\(name) (family \(fields["cpu family"] ?? "?"), model \(fields["model"] ?? "?"), stepping \(fields["stepping"] ?? "?"))"
    }()

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

    /// The table in the file at ``path(environment:)`` when it fits this build
    /// (``fitsThisBuild``), else ``builtIn(for:)`` of the compiled kernel: a missing, unreadable or
    /// foreign file (another kernel kind, another CPU) never stops a training run.
    ///
    /// The library calls this only when its caller asks (the `mlp` tool does): ``AutoBackend``
    /// on its own uses the built-in table.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> CrossoverTable {
        guard let path = path(environment: environment),
              let data = try? Data(contentsOf: URL(fileURLWithPath: path)),
              let table = try? CrossoverTable(json: data),
              table.fitsThisBuild
        else { return builtIn() }
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
/// once and grouped by transposes, so that a choice per GEMM call costs a short scan of the
/// entries with the call's transposes (about 20) and no allocation.
struct CrossoverRules: Sendable {
    private struct Point: Sendable {
        var logM: Float, logN: Float, logK: Float
        var openblasWins: Bool
    }
    /// Points by transposes, at index `2 * (transA == .transposed) + (transB == .transposed)`.
    private let groups: [[Point]]
    /// Every point, for transposes the table has no entry with.
    private let all: [Point]

    /// The entries measured at the thread count nearest `threads` (ties: the smaller count).
    init(_ table: CrossoverTable, threads: Int) {
        let counts = Set(table.entries.map(\.threads))
        let nearest = counts.min { (abs($0 - threads), $0) < (abs($1 - threads), $1) }
        var groups = [[Point]](repeating: [], count: 4)
        var all: [Point] = []
        for entry in table.entries where entry.threads == nearest {
            let point = Point(logM: Self.log2(entry.m), logN: Self.log2(entry.n), logK: Self.log2(entry.k),
                              openblasWins: entry.winner == .openblas)
            groups[Self.group(entry.transA == "T" ? .transposed : .none, entry.transB == "T" ? .transposed : .none)].append(point)
            all.append(point)
        }
        self.groups = groups
        self.all = all
    }

    static func log2(_ x: Int) -> Float { Float.log2(Float(max(x, 1))) }

    private static func group(_ transA: Transpose, _ transB: Transpose) -> Int {
        (transA == .transposed ? 2 : 0) + (transB == .transposed ? 1 : 0)
    }

    /// The winner of the nearest entry with the same transposes (any transposes when the table
    /// has none of these); swift for an empty table.
    func choice(transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int) -> BackendKind {
        let same = groups[Self.group(transA, transB)]
        let points = same.isEmpty ? all : same
        let lm = Self.log2(m), ln = Self.log2(n), lk = Self.log2(k)
        var best = Float.infinity, winner = false
        for p in points {
            let d = (p.logM - lm) * (p.logM - lm) + (p.logN - ln) * (p.logN - ln) + (p.logK - lk) * (p.logK - lk)
            if d < best { best = d; winner = p.openblasWins }
        }
        return winner ? .openblas : .swift
    }
}

extension Float {
    fileprivate static func log2(_ x: Float) -> Float {
        // Exponent plus a linear mantissa: within 0.09 of log2, monotone, and free of libm.
        Float(x.exponent) + (x.significand - 1)
    }
}
