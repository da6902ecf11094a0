/// The faster fast backend for each product: every GEMM goes to the pure-Swift kernel or to
/// OpenBLAS as a ``CrossoverTable`` says (small products favour the Swift kernel, which runs
/// them inline; large ones OpenBLAS).
///
/// Both backends run with the same ``threads``, so whichever a call takes, at most that many
/// threads compute (see docs/PERFORMANCE.md, "Threads"). Without the `OpenBLAS` trait there is
/// nothing to choose from and every product goes to ``SwiftBackend``.
///
/// The choice for a call is a scan of the table's entries for this thread count (tens of
/// entries, no allocation): well under a microsecond against products of tens of microseconds.
public struct AutoBackend: GEMMBackend {
    public let threads: Int
    /// The measurements the choices come from.
    public let table: CrossoverTable
    private let rules: CrossoverRules
    private let swift: SwiftBackend
    #if OpenBLAS
    private let openblas: OpenBLASBackend
    #endif

    /// An automatic backend using `threads` threads per product and `table` (by default the
    /// built-in table of the compiled kernel, ``CrossoverTable/builtIn(for:)``; nothing is read
    /// from a file unless the caller passes ``CrossoverTable/load(environment:)``).
    public init(threads: Int = 1, table: CrossoverTable = .builtIn()) {
        precondition(threads >= 1, "AutoBackend: threads must be at least 1, got \(threads)")
        self.threads = threads
        self.table = table
        rules = CrossoverRules(table, threads: threads)
        swift = SwiftBackend(threads: threads)
        #if OpenBLAS
        openblas = OpenBLASBackend(threads: threads)
        #endif
    }

    public var name: String { "auto" }

    /// The backend this instance sends a product of this shape to.
    public func choice(transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int) -> BackendKind {
        #if OpenBLAS
        rules.choice(transA: transA, transB: transB, m: m, n: n, k: k)
        #else
        .swift
        #endif
    }

    /// ``GEMMBackend/gemmKernel(_:site:)``.
    ///
    /// - Parameters:
    ///   - p: the product's sizes, scalars, transposes and matrices.
    ///   - site: where the product is called from.
    public func gemmKernel(_ p: GEMMOperands, site: GEMMCallSite) {
        #if OpenBLAS
        if choice(transA: p.transA, transB: p.transB, m: p.m, n: p.n, k: p.k) == .openblas {
            openblas.gemmKernel(p, site: site)
            return
        }
        #endif
        swift.gemmKernel(p, site: site)
    }
}
