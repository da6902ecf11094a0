#if OpenBLAS
import COpenBLAS

/// GEMM through OpenBLAS's `cblas_sgemm`; the only file that imports `COpenBLAS`.
///
/// Compiled in only with the package trait `OpenBLAS` (on by default).
///
/// **Threads.** OpenBLAS's own threading is kept off (its global thread count at 1): a product
/// of at least ``inlineLimit`` multiply-adds is cut into ``threads`` bands of C as
/// ``SwiftBackend`` cuts it (``ThreadSplit``, in whole 16-row or 16-column tiles), and each band
/// is one single-threaded `cblas_sgemm` on a thread of ``GEMMThreadPool``, the pool the Swift
/// kernel and the elementwise passes use. So both backends share one set of threads and never
/// oversubscribe the cores, and a call allocates nothing. Measured against OpenBLAS's own
/// threaded driver (0.3.21, 2 threads, `mlp-bench train`): batch-32 training step 253 against
/// 322 us, and no heap allocation per call where the driver made five per step; its workers,
/// yielding in a loop between calls, no longer take cycles from the other threads.
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

    /// Products of fewer multiply-adds (m n k) than this run as one call on the calling thread
    /// (the limit of ``SwiftBackend``, for the same reason).
    static let inlineLimit = SwiftBackend.defaultInlineLimit


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
        // OpenBLAS's own threads stay off (see the type's documentation), even if another
        // caller of the library switched them on: a read of one global on the common path.
        if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
        let product = OpenBLASProduct(
            split: ThreadSplit(m: m, n: n, threads: threads, rowTile: 16, columnTile: 16),
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, largestDimension: largestDimension)
        let (mk, overflowA) = m.multipliedReportingOverflow(by: k)
        let (mnk, overflowB) = mk.multipliedReportingOverflow(by: n)
        if threads == 1 || (!overflowA && !overflowB && mnk < Self.inlineLimit) {
            product.multiply(m: m, n: n, a: a, b: b, c: c)
            return
        }
        withUnsafePointer(to: product) { product in
            GEMMThreadPool.shared.run(parts: threads, job: UnsafeRawPointer(product)) { product, part in
                product.assumingMemoryBound(to: OpenBLASProduct.self).pointee.run(part: part)
            }
        }
    }
}

/// One product of ``OpenBLASBackend``, kept on the caller's stack while ``GEMMThreadPool`` runs
/// its bands of C (see ``ThreadSplit``), each a single-threaded `cblas_sgemm` of its own.
private struct OpenBLASProduct {
    let split: ThreadSplit
    let transA: Transpose, transB: Transpose
    let m: Int, n: Int, k: Int
    let alpha: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let beta: Float
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let largestDimension: Int

    /// Band `part` of C: the rows (or columns) of op(A) (or op(B)) and C that it covers.
    func run(part: Int) {
        let band = split.band(part)
        if band.isEmpty { return }
        if split.alongRows {
            let rows = band.lowerBound
            multiply(m: band.count, n: n, a: transA == .none ? a + rows * lda : a + rows, b: b, c: c + rows * ldc)
        } else {
            let columns = band.lowerBound
            multiply(m: m, n: band.count, a: a, b: transB == .none ? b + columns : b + columns * ldb, c: c + columns)
        }
    }

    /// `C = alpha op(A) op(B) + beta C` for an `m x n` part, as one cblas call, or as blocks of
    /// at most ``largestDimension`` per dimension (the first k panel applies beta, the rest
    /// accumulate).
    func multiply(m: Int, n: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
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
