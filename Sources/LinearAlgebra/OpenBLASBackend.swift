#if OpenBLAS
import COpenBLAS
import Synchronization

/// GEMM through OpenBLAS's `cblas_sgemm`; the only file that imports `COpenBLAS`.
///
/// Compiled in only with the package trait `OpenBLAS` (on by default). OpenBLAS keeps one
/// global thread count; this backend sets it to ``threads`` before a call whenever the last
/// call left another value, so backends with different thread counts can coexist.
///
/// cblas takes 32-bit dimensions. Dimensions beyond `Int32.max` are never truncated: m and n
/// are cut into row and column blocks and k into panels (the first panel applies beta, the
/// rest accumulate), and a leading dimension beyond `Int32.max`, which cannot be cut, sends
/// the product to ``SwiftBackend``.
public struct OpenBLASBackend: GEMMBackend {
    public let threads: Int
    /// The largest dimension passed to one cblas call (`Int32.max` except in tests).
    let largestDimension: Int

    /// An OpenBLAS backend using `threads` threads per product.
    public init(threads: Int = 1) {
        self.init(threads: threads, largestDimension: Int(Int32.max))
    }

    init(threads: Int, largestDimension: Int) {
        precondition(threads >= 1, "OpenBLASBackend: threads must be at least 1, got \(threads)")
        self.threads = threads
        self.largestDimension = min(largestDimension, Int(Int32.max))
    }

    public var name: String { "openblas" }

    /// OpenBLAS's thread count as last set by any instance (0: not yet set).
    private static let currentThreads = Atomic<Int>(0)

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
        let limit = Int(Int32.max)
        if lda > limit || ldb > limit || ldc > limit {
            SwiftBackend(threads: threads).gemmKernel(
                transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, site: site)
            return
        }
        // A plain load on the common path (the count rarely changes); a locked exchange costs
        // more than a whole 8x8x8 product's worth of bookkeeping.
        if Self.currentThreads.load(ordering: .relaxed) != threads {
            Self.currentThreads.store(threads, ordering: .relaxed)
            openblas_set_num_threads(Int32(threads))
        }
        let block = largestDimension
        if m <= block && n <= block && k <= block {
            // void cblas_sgemm(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
            cblas_sgemm(CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k), alpha,
                        a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            return
        }
        for i0 in stride(from: 0, to: m, by: block) {
            let mb = min(block, m - i0)
            for j0 in stride(from: 0, to: n, by: block) {
                let nb = min(block, n - j0)
                for p0 in stride(from: 0, to: k, by: block) {
                    let kb = min(block, k - p0)
                    // Offsets of the (i0, p0) block of op(A) and the (p0, j0) block of op(B) as stored.
                    let aBlock = transA == .none ? a + i0 * lda + p0 : a + p0 * lda + i0
                    let bBlock = transB == .none ? b + p0 * ldb + j0 : b + j0 * ldb + p0
                    // void cblas_sgemm(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
                    cblas_sgemm(
                        CblasRowMajor, transA.cblas, transB.cblas,
                        Int32(mb), Int32(nb), Int32(kb), alpha,
                        aBlock, Int32(lda), bBlock, Int32(ldb),
                        p0 == 0 ? beta : 1, c + i0 * ldc + j0, Int32(ldc))
                }
            }
        }
    }
}

extension Transpose {
    fileprivate var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}
#endif
