/// One threaded product of ``SwiftBackend``: everything a part needs, kept on the caller's
/// stack while ``GEMMThreadPool`` runs the parts (a plain value behind a raw pointer, so that
/// handing it to the workers allocates nothing).
struct ThreadedProduct {
    let split: ThreadSplit
    let transA: Transpose, transB: Transpose
    let m: Int, n: Int, k: Int
    let alpha: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let beta: Float
    let c: UnsafeMutablePointer<Float>, ldc: Int

    /// Band `part` of C (see ``ThreadSplit``): a sequential blocked product of its own, with
    /// the packing buffers of its part index (``GEMMPartWorkspaces``); bands share no writable memory.
    func run(part: Int) {
        let band = split.band(part)
        if band.isEmpty { return }
        // op(A) rows, op(B) columns and C entries of this part, as stored.
        let (rowStart, rows, columnStart, columns) =
            split.alongRows ? (band.lowerBound, band.count, 0, n) : (0, m, band.lowerBound, band.count)
        let partA = transA == .none ? a + rowStart * lda : a + rowStart
        let partB = transB == .none ? b + columnStart : b + columnStart * ldb
        GEMMPartWorkspaces.withWorkspace(part: part, m: rows, n: columns, k: k) { workspace in
            GEMMBlocking.multiply(
                transA: transA, transB: transB, m: rows, n: columns, k: k, alpha: alpha,
                a: partA, lda: lda, b: partB, ldb: ldb, beta: beta,
                c: c + rowStart * ldc + columnStart, ldc: ldc, workspace: workspace)
        }
    }
}
