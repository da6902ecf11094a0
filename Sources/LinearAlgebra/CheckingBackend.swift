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

    public func gemmKernel(
        transA: Transpose, transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        site: GEMMCallSite
    ) {
        var scratch = [Float](repeating: 0, count: m * n)
        scratch.withUnsafeMutableBufferPointer { s in
            let s = s.baseAddress!
            if beta != 0 {
                for i in 0..<m { (s + i * n).update(from: c + i * ldc, count: n) }
            }
            reference.gemmKernel(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                 a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: s, ldc: n, site: site)
            primary.gemmKernel(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                               a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, site: site)
            let difference = maxRelativeDifference(c, ldx: ldc, s, ldy: n, rows: m, columns: n)
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
