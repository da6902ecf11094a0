import Dispatch

/// GEMM in pure Swift, built from BLIS parts: packing (`GEMMPacking`), an MR x NR SIMD
/// micro-kernel (`GEMMMicroKernel`) and the five blocking loops around it (`GEMMBlocking`),
/// with the product split over threads.
///
/// ## Threads
///
/// C is cut into exactly ``threads`` disjoint parts, either bands of rows (whole MR tiles) or
/// bands of columns (whole NR tiles), whichever leaves the busiest thread the least work,
/// packing included (see `ThreadSplit`). Each part is an independent product on its own thread
/// (`GEMMThreadPool`: the caller and `threads - 1` workers) with its own packing buffers (those
/// of its part index, `GEMMPartWorkspaces`, so repeated products allocate nothing); the parts share no
/// writable memory, so no synchronisation is needed beyond the join. A thread packs the
/// operand it shares with the others again (A for column bands, B for row bands): O(mk) or
/// O(kn) extra copies against O(mnk / threads) multiply-adds. With `threads == 1`, or for
/// products below `defaultInlineLimit` multiply-adds (where a dispatch costs more than it saves),
/// everything runs inline on the caller's thread.
///
/// ## Few rows
///
/// A product C = A B^T of at most `GEMMDotKernel.rowLimit` rows (a layer's forward product on
/// a small batch) skips packing: dot products along the rows of B as stored (`GEMMDotKernel`).
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

    public func gemmKernel(_ operands: GEMMOperands, site: GEMMCallSite) {
        let fewRows = GEMMDotKernel.applies(transA: operands.transA, transB: operands.transB, m: operands.m)
        let limit = fewRows ? min(inlineLimit, GEMMDotKernel.inlineLimit) : inlineLimit
        if threads == 1 || operands.hasFewerMultiplyAdds(than: limit) {
            if fewRows {
                GEMMDotKernel.multiply(operands)
                return
            }
            GEMMWorkspacePool.withWorkspace(m: operands.m, n: operands.n, k: operands.k) { workspace in
                GEMMBlocking.multiply(operands, workspace: workspace)
            }
            return
        }
        // Few rows by dot products: bands of 4 columns, each thread reading its part of B.
        let split = fewRows
            ? ThreadSplit(columnsOf: operands.n, tile: 4, threads: threads)
            : ThreadSplit(m: operands.m, n: operands.n, k: operands.k, threads: threads)
        var product = ThreadedProduct(split: split, operands: operands)
        withUnsafePointer(to: &product) { product in
            GEMMThreadPool.shared.run(parts: threads, job: UnsafeRawPointer(product)) { product, part in
                product.assumingMemoryBound(to: ThreadedProduct.self).pointee.run(part: part)
            }
        }
    }
}
