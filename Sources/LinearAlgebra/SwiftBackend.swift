import Dispatch

/// GEMM in pure Swift, built from BLIS parts: packing (``GEMMPacking``), an MR x NR SIMD
/// micro-kernel (``GEMMMicroKernel``) and the five blocking loops around it (``GEMMBlocking``),
/// with the product split over threads.
///
/// ## Threads
///
/// C is cut into exactly ``threads`` disjoint parts, either bands of rows (whole MR tiles) or
/// bands of columns (whole NR tiles), whichever leaves the busiest thread the least work:
///
///     rows:    ceil(ceil(m / MR) / threads) * MR * n
///     columns: ceil(ceil(n / NR) / threads) * NR * m
///
/// (ties go to columns). Each part is an independent product on its own thread
/// (``GEMMThreadPool``: the caller and `threads - 1` workers) with its own packing buffers (those
/// of its part index, ``GEMMPartWorkspaces``, so repeated products allocate nothing); the parts share no
/// writable memory, so no synchronisation is needed beyond the join. A thread packs the
/// operand it shares with the others again (A for column bands, B for row bands): O(mk) or
/// O(kn) extra copies against O(mnk / threads) multiply-adds. With `threads == 1`, or for
/// products below ``defaultInlineLimit`` multiply-adds (where a dispatch costs more than it saves),
/// everything runs inline on the caller's thread.
public struct SwiftBackend: GEMMBackend {
    public let threads: Int

    /// Products of fewer multiply-adds (m n k) than this (2^18, about 64^3) run on the calling
    /// thread alone. With libdispatch's `concurrentPerform`, whose sleeping workers took some 50
    /// microseconds to start here, the limit was 2^22; ``GEMMThreadPool``'s workers are still
    /// spinning between the products of a training step and start within a microsecond or two,
    /// so a product is worth splitting from a few tens of microseconds of work on.
    static let defaultInlineLimit = 1 << 18

    /// The inline limit of this instance (``defaultInlineLimit`` except in tests, which set 0 to
    /// send even tiny products through the threaded path).
    let inlineLimit: Int

    /// A pure-Swift backend using `threads` threads per product.
    public init(threads: Int = 1) {
        self.init(threads: threads, inlineLimit: Self.defaultInlineLimit)
    }

    init(threads: Int, inlineLimit: Int) {
        precondition(threads >= 1, "SwiftBackend: threads must be at least 1, got \(threads)")
        self.threads = threads
        self.inlineLimit = inlineLimit
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
        let (mk, overflowA) = m.multipliedReportingOverflow(by: k)
        let (mnk, overflowB) = mk.multipliedReportingOverflow(by: n)
        if threads == 1 || (!overflowA && !overflowB && mnk < inlineLimit) {
            GEMMWorkspacePool.withWorkspace(m: m, n: n, k: k) { workspace in
                GEMMBlocking.multiply(
                    transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                    a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, workspace: workspace)
            }
            return
        }
        let split = ThreadSplit(m: m, n: n, threads: threads)
        var product = ThreadedProduct(
            split: split, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        withUnsafePointer(to: &product) { product in
            GEMMThreadPool.shared.run(parts: threads, job: UnsafeRawPointer(product)) { product, part in
                product.assumingMemoryBound(to: ThreadedProduct.self).pointee.run(part: part)
            }
        }
    }
}

/// How C is cut into bands of whole micro-tiles, one per thread (see ``SwiftBackend``).
struct ThreadSplit: Sendable {
    /// True: bands of rows of C; false: bands of columns.
    let alongRows: Bool
    /// The extent of the split dimension (m or n).
    let extent: Int
    /// Tile size along the split dimension (MR or NR).
    let tile: Int
    /// Number of bands (= threads; trailing ones may be empty when tiles run out).
    let parts: Int

    /// Bands of whole `rowTile`-row or `columnTile`-column tiles (by default the micro-kernel's
    /// MR and NR).
    init(m: Int, n: Int, threads: Int, rowTile mr: Int = GEMMMicroKernel.mr, columnTile nr: Int = GEMMMicroKernel.nr) {
        let rowTiles = (m + mr - 1) / mr, columnTiles = (n + nr - 1) / nr
        let busiestByRows = (rowTiles + threads - 1) / threads * mr * n
        let busiestByColumns = (columnTiles + threads - 1) / threads * nr * m
        alongRows = busiestByRows < busiestByColumns
        (extent, tile) = alongRows ? (m, mr) : (n, nr)
        parts = threads
    }

    /// The rows (or columns) of band `part`: tiles are dealt out as evenly as possible, the
    /// first `tiles % parts` bands getting one more.
    func band(_ part: Int) -> Range<Int> {
        let tiles = (extent + tile - 1) / tile
        let base = tiles / parts, extra = tiles % parts
        let firstTile = part * base + min(part, extra)
        let count = base + (part < extra ? 1 : 0)
        let start = min(firstTile * tile, extent)
        let end = min((firstTile + count) * tile, extent)
        return start..<end
    }
}
