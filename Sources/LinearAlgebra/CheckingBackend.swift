/// A backend that runs every product on two backends and records how far they disagree.
///
/// The `primary` backend's result is the one written to C; the `reference` backend computes
/// the same product into a scratch copy, and the largest relative difference
/// (``maxRelativeDifference(_:ldx:_:ldy:rows:columns:)``) is kept per ``GEMMCallSite``.
/// This is the A/B check behind `mlp train --verify`. It is a reference type: copies share
/// one record.
public final class CheckingBackend: GEMMBackend {
    /// The backend whose result is kept.
    public let primary: any GEMMBackend
    /// The backend it is compared with.
    public let reference: any GEMMBackend
    private let records = Locked<[GEMMCallSite: Record]>([:])

    /// What was seen at one call site.
    public struct Record: Sendable, Equatable {
        /// How many products were checked there.
        public var calls: Int
        /// The largest relative difference among them.
        public var maxRelativeDifference: Double
    }

    public init(primary: any GEMMBackend, reference: any GEMMBackend) {
        self.primary = primary
        self.reference = reference
    }

    public var name: String { "\(primary.name)-vs-\(reference.name)" }
    public var threads: Int { primary.threads }

    /// The record of every call site seen so far.
    public var report: [GEMMCallSite: Record] { records.withLock { $0 } }

    /// Forgets every record.
    public func reset() { records.withLock { $0.removeAll() } }

    /// ``GEMMBackend/gemmKernel(_:site:)``.
    ///
    /// - Parameters:
    ///   - p: the product's sizes, scalars, transposes and matrices.
    ///   - site: where the product is called from.
    public func gemmKernel(_ p: GEMMOperands, site: GEMMCallSite) {
        let m = p.m, n = p.n
        var scratch = [Float](repeating: 0, count: m * n)
        scratch.withUnsafeMutableBufferPointer { s in
            let s = s.baseAddress!
            if p.beta != 0 {
                for i in 0..<m { (s + i * n).update(from: p.c + i * p.ldc, count: n) }
            }
            // The same product into the scratch copy of C (leading dimension n).
            reference.gemmKernel(GEMMOperands(transA: p.transA, transB: p.transB, m: m, n: n, k: p.k, alpha: p.alpha,
                                              a: p.a, lda: p.lda, b: p.b, ldb: p.ldb, beta: p.beta, c: s, ldc: n), site: site)
            primary.gemmKernel(p, site: site)
            let difference = maxRelativeDifference(p.c, ldx: p.ldc, s, ldy: n, rows: m, columns: n)
            records.withLock { records in
                var record = records[site] ?? Record(calls: 0, maxRelativeDifference: 0)
                record.calls += 1
                record.maxRelativeDifference = max(record.maxRelativeDifference, difference)
                if difference.isNaN { record.maxRelativeDifference = .nan }
                records[site] = record
            }
        }
    }
}
