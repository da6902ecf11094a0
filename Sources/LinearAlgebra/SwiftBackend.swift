/// Pure-Swift GEMM (placeholder: a correct loop nest; the BLIS-structured kernel replaces it).
public struct SwiftBackend: GEMMBackend {
    public let threads: Int

    public init(threads: Int = 1) {
        precondition(threads >= 1, "SwiftBackend: threads must be at least 1, got \(threads)")
        self.threads = threads
    }

    public var name: String { "swift" }

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
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let aip = transA == .none ? a[i * lda + p] : a[p * lda + i]
                    let bpj = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                    sum += aip * bpj
                }
                c[i * ldc + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[i * ldc + j]
            }
        }
    }
}
