/// The executable specification of GEMM: the textbook triple loop, accumulating in `Double`.
///
///     C[i][j] <- alpha * sum_p op(A)[i][p] * op(B)[p][j] + beta * C[i][j]
///
/// Slow and obviously right; every other backend is tested against it. With `beta == 0` it
/// never reads C.
public struct ReferenceBackend: GEMMBackend {
    public init() {}

    public var name: String { "reference" }
    public var threads: Int { 1 }

    /// ``GEMMBackend/gemmKernel(_:site:)``.
    ///
    /// - Parameters:
    ///   - p: the product's sizes, scalars, transposes and matrices.
    ///   - site: where the product is called from.
    public func gemmKernel(_ p: GEMMOperands, site: GEMMCallSite) {
        let (transA, transB, m, n, k, alpha, beta) = (p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.beta)
        let (a, lda, b, ldb, c, ldc) = (p.a, p.lda, p.b, p.ldb, p.c, p.ldc)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aip = transA == .none ? a[i * lda + p] : a[p * lda + i]
                    let bpj = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                    sum += Double(aip) * Double(bpj)
                }
                let scaled = Double(alpha) * sum
                c[i * ldc + j] = beta == 0 ? Float(scaled) : Float(scaled + Double(beta) * Double(c[i * ldc + j]))
            }
        }
    }
}
