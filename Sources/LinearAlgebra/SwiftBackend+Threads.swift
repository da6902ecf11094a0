/// One threaded product of ``SwiftBackend``: everything a part needs, kept on the caller's
/// stack while ``GEMMThreadPool`` runs the parts (a plain value behind a raw pointer, so that
/// handing it to the workers allocates nothing).
struct ThreadedProduct {
    let split: ThreadSplit
    let operands: GEMMOperands

    /// Band `part` of C (see ``ThreadSplit``): a sequential blocked product of its own, with
    /// the packing buffers of its part index (``GEMMPartWorkspaces``); bands share no writable memory.
    func run(part: Int) {
        guard let p = operands.band(part, of: split) else { return }
        if GEMMDotKernel.applies(transA: p.transA, transB: p.transB, m: p.m) {
            GEMMDotKernel.multiply(p)
            return
        }
        GEMMPartWorkspaces.withWorkspace(part: part, m: p.m, n: p.n, k: p.k) { workspace in
            GEMMBlocking.multiply(p, workspace: workspace)
        }
    }
}
