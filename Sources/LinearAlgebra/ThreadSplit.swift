/// How C is cut into bands of whole tiles, one per thread (see ``SwiftBackend``).
///
/// Bands of rows or bands of columns, whichever leaves the busiest thread the least work,
/// counting its packing as well as its multiply-adds. With bands of rows every thread packs all
/// of op(B) and its own rows of op(A); with bands of columns, all of op(A) and its own columns
/// of op(B). So per thread, in multiply-adds,
///
///     rows:    ceil(ceil(m / MR) / T) MR n k + w (k n + ceil(ceil(m / MR) / T) MR k)
///     columns: ceil(ceil(n / NR) / T) NR m k + w (k m + ceil(ceil(n / NR) / T) NR k)
///
/// with w = ``packingWeight`` (ties go to columns). Without the packing terms a 32 x 784 x 256
/// product went to bands of 16 rows, each thread packing the whole 256 x 784 op(B) for 16
/// rows of work: 0.86x OpenBLAS on 2 threads, against 1.04x as bands of columns.
struct ThreadSplit: Sendable {
    /// True: bands of rows of C; false: bands of columns.
    let alongRows: Bool
    /// The extent of the split dimension (m or n).
    let extent: Int
    /// Tile size along the split dimension (MR or NR).
    let tile: Int
    /// Number of bands (= threads; trailing ones may be empty when tiles run out).
    let parts: Int

    /// What packing one float costs, in multiply-adds of the micro-kernel: a packed float is a
    /// load and a store, at most a few per cycle, where the kernel makes 32 multiply-adds per
    /// cycle; 8 is a round figure between the two.
    static let packingWeight = 8

    /// Bands of whole `rowTile`-row or `columnTile`-column tiles (by default the micro-kernel's
    /// MR and NR) for an `m x n x k` product.
    init(m: Int, n: Int, k: Int, threads: Int,
         rowTile mr: Int = GEMMMicroKernel.mr, columnTile nr: Int = GEMMMicroKernel.nr) {
        let rowsPerThread = ((m + mr - 1) / mr + threads - 1) / threads * mr
        let columnsPerThread = ((n + nr - 1) / nr + threads - 1) / threads * nr
        let w = Self.packingWeight
        // Doubles: the counts of a huge product would overflow Int.
        let (dm, dn, dk) = (Double(m), Double(n), Double(k))
        let byRows = Double(rowsPerThread) * dn * dk + Double(w) * (dk * dn + Double(rowsPerThread) * dk)
        let byColumns = Double(columnsPerThread) * dm * dk + Double(w) * (dk * dm + Double(columnsPerThread) * dk)
        alongRows = byRows < byColumns
        (extent, tile) = alongRows ? (m, mr) : (n, nr)
        parts = threads
    }

    /// Bands of whole `tile`-column tiles of an `n`-column C, one per thread.
    init(columnsOf n: Int, tile: Int, threads: Int) {
        alongRows = false
        (extent, self.tile, parts) = (n, tile, threads)
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
