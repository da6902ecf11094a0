/// The operands of one GEMM call, C <- alpha op(A) op(B) + beta C, as a backend receives them:
/// what a threaded product hands to the part that computes one band of C.
struct GEMMOperands {
    let transA: Transpose, transB: Transpose
    let m: Int, n: Int, k: Int
    let alpha: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let beta: Float
    let c: UnsafeMutablePointer<Float>, ldc: Int

    /// Whether the product has fewer than `limit` multiply-adds (m n k; an overflow counts as more).
    func hasFewerMultiplyAdds(than limit: Int) -> Bool {
        let (mk, overflowA) = m.multipliedReportingOverflow(by: k)
        let (mnk, overflowB) = mk.multipliedReportingOverflow(by: n)
        return !overflowA && !overflowB && mnk < limit
    }

    /// The product restricted to band `part` of `split`: the rows of op(A) and C it covers (a
    /// band of rows) or the columns of op(B) and C (a band of columns), with their pointers as
    /// stored; nil for an empty band.
    func band(_ part: Int, of split: ThreadSplit) -> GEMMOperands? {
        let band = split.band(part)
        if band.isEmpty { return nil }
        let start = band.lowerBound
        if split.alongRows {
            return GEMMOperands(transA: transA, transB: transB, m: band.count, n: n, k: k, alpha: alpha,
                                a: transA == .none ? a + start * lda : a + start, lda: lda, b: b, ldb: ldb,
                                beta: beta, c: c + start * ldc, ldc: ldc)
        }
        return GEMMOperands(transA: transA, transB: transB, m: m, n: band.count, k: k, alpha: alpha,
                            a: a, lda: lda, b: transB == .none ? b + start : b + start * ldb, ldb: ldb,
                            beta: beta, c: c + start, ldc: ldc)
    }
}
