/// The operands of one GEMM call, C <- alpha op(A) op(B) + beta C, as a backend receives them
/// in ``GEMMBackend/gemmKernel(_:site:)``: op(A) is m x k, op(B) k x n, C m x n, each row-major
/// with its leading dimension (see ``GEMMBackend``). It is also what a threaded product hands to
/// the part that computes one band of C (`band(_:of:)`).
public struct GEMMOperands {
    public let transA: Transpose, transB: Transpose
    public let m: Int, n: Int, k: Int
    public let alpha: Float
    /// A as stored: op(A)[i][p] is `a[i * lda + p]`, or `a[p * lda + i]` when transposed.
    public let a: UnsafePointer<Float>, lda: Int
    /// B as stored: op(B)[p][j] is `b[p * ldb + j]`, or `b[j * ldb + p]` when transposed.
    public let b: UnsafePointer<Float>, ldb: Int
    public let beta: Float
    /// C: C[i][j] is `c[i * ldc + j]`.
    public let c: UnsafeMutablePointer<Float>, ldc: Int

    /// The operands of one product, as ``GEMMBackend/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:site:)``
    /// takes them after its checks.
    @inlinable
    public init(transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int, alpha: Float,
                a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        self.transA = transA
        self.transB = transB
        self.m = m
        self.n = n
        self.k = k
        self.alpha = alpha
        self.a = a
        self.lda = lda
        self.b = b
        self.ldb = ldb
        self.beta = beta
        self.c = c
        self.ldc = ldc
    }

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
