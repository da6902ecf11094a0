#if OpenBLAS
import COpenBLAS

/// GEMM through OpenBLAS's `cblas_sgemm`; the only file that imports `COpenBLAS`.
///
/// Compiled in only with the package trait `OpenBLAS` (on by default).
///
/// **Threads.** OpenBLAS's own threading is kept off (its global thread count at 1): a product
/// of at least `inlineLimit` multiply-adds is cut into ``threads`` bands of C as
/// ``SwiftBackend`` cuts it (`ThreadSplit`, in whole 16-row or 16-column tiles), and each band
/// is one single-threaded `cblas_sgemm` on a thread of `GEMMThreadPool`, the pool the Swift
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

    public func gemmKernel(_ operands: GEMMOperands, site: GEMMCallSite) {
        let limit = Int(Int32.max)
        if operands.lda > limit || operands.ldb > limit || operands.ldc > limit {
            SwiftBackend(threads: threads).gemmKernel(operands, site: site)
            return
        }
        // OpenBLAS's own threads stay off (see the type's documentation), even if another
        // caller of the library switched them on: a read of one global on the common path.
        if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
        if threads == 1 || operands.hasFewerMultiplyAdds(than: Self.inlineLimit) {
            Self.multiply(operands, largestDimension: largestDimension)
            return
        }
        let split = ThreadSplit(m: operands.m, n: operands.n, k: operands.k, threads: threads, rowTile: 16, columnTile: 16)
        let product = OpenBLASProduct(split: split,
                                      operands: operands, largestDimension: largestDimension)
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
    let operands: GEMMOperands
    let largestDimension: Int

    func run(part: Int) {
        guard let band = operands.band(part, of: split) else { return }
        OpenBLASBackend.multiply(band, largestDimension: largestDimension)
    }
}

extension OpenBLASBackend {
    /// The product as one cblas call, or as blocks of at most `largestDimension` per dimension
    /// (the first k panel applies beta, the rest accumulate).
    fileprivate static func multiply(_ p: GEMMOperands, largestDimension block: Int) {
        if p.m <= block && p.n <= block && p.k <= block {
            // void cblas_sgemm(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
            cblas_sgemm(CblasRowMajor, p.transA.cblas, p.transB.cblas, Int32(p.m), Int32(p.n), Int32(p.k), p.alpha,
                        p.a, Int32(p.lda), p.b, Int32(p.ldb), p.beta, p.c, Int32(p.ldc))
            return
        }
        for i0 in stride(from: 0, to: p.m, by: block) {
            let mb = min(block, p.m - i0)
            for j0 in stride(from: 0, to: p.n, by: block) {
                let nb = min(block, p.n - j0)
                for p0 in stride(from: 0, to: p.k, by: block) {
                    let kb = min(block, p.k - p0)
                    // Offsets of the (i0, p0) block of op(A) and the (p0, j0) block of op(B) as stored.
                    let aBlock = p.transA == .none ? p.a + i0 * p.lda + p0 : p.a + p0 * p.lda + i0
                    let bBlock = p.transB == .none ? p.b + p0 * p.ldb + j0 : p.b + j0 * p.ldb + p0
                    cblas_sgemm(
                        CblasRowMajor, p.transA.cblas, p.transB.cblas,
                        Int32(mb), Int32(nb), Int32(kb), p.alpha,
                        aBlock, Int32(p.lda), bBlock, Int32(p.ldb),
                        p0 == 0 ? p.beta : 1, p.c + i0 * p.ldc + j0, Int32(p.ldc))
                }
            }
        }
    }
}

extension Transpose {
    fileprivate var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}
#endif
