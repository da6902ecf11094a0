/// The BLIS loop nest of the pure-Swift GEMM on one thread, and the block sizes that cut it.
///
/// C <- alpha op(A) op(B) + beta C is computed as a sum over kc-deep slices,
///
///     C <- alpha op(A)[:, P_0] op(B)[P_0, :] + beta C,
///     C <- alpha op(A)[:, P_s] op(B)[P_s, :] + C      for every later slice s,
///
/// so beta is applied exactly once (by the first slice, which never reads C when beta == 0)
/// and alpha by every slice (alpha distributes over the sum). Around the micro-kernel there are
/// five loops; each block size below is the step of one of them and is chosen for the cache
/// level its packed block should stay in. The figures are for AMD Zen 4 (32 KiB L1d and 1 MiB
/// L2 per core, 32 MiB shared L3) and suit most current x86-64 and ARM cores within a factor
/// of two.
enum GEMMBlocking {
    /// Loop 3 step, the most rows of op(A) in one packed block (a multiple of MR). The packed A
    /// block, `mc * kc * 4` bytes = 192 KiB, stays in L2 while loops 2 and 1 sweep it once per
    /// micro-panel of B. 128 also keeps a whole mini-batch of 128 in one block. Measured on
    /// Zen 4: 96 to 128 are best; 256 and more lose 5-10 % at n = 1024.
    static let mc = 128
    /// Loop 4 step, the most depth of one packed slice (a multiple of 8). Each micro-kernel
    /// call amortises its C tile load and store over kc rank-1 updates; a packed B micro-panel
    /// (`kc * NR * 4` bytes = 48 KiB at NR = 32) is reused by every micro-panel of A in loop 1
    /// and streams from L1/L2 at 8 bytes a cycle, well within L2 bandwidth. Measured on Zen 4:
    /// 384 beats 256 by 5-10 % for n >= 512 and equals it on the MLP shapes.
    static let kc = 384
    /// Loop 5 step, the most columns of op(B) in one packed panel (a multiple of NR). The packed
    /// B panel, `kc * nc * 4` bytes = 6 MiB, lives in L3 while loop 3 walks down all of A.
    static let nc = 4096

    /// C <- alpha op(A) op(B) + beta C on the calling thread (m, n, k >= 1), using `workspace`,
    /// which must fit the shape (``GEMMWorkspace/fits(m:n:k:)``).
    ///
    /// `a` points to op(A)[0][0] and `b` to op(B)[0][0] as stored (see ``GEMMPacking``), `c`
    /// to C[0][0]; only the m x n window of C is touched.
    static func multiply(_ p: GEMMOperands, workspace: GEMMWorkspace) {
        let (transA, transB, m, n, k, alpha, beta) = (p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.beta)
        let (a, lda, b, ldb, c, ldc) = (p.a, p.lda, p.b, p.ldb, p.c, p.ldc)
        precondition(workspace.fits(m: m, n: n, k: k), "GEMMBlocking: workspace too small for \(m)x\(n)x\(k)")
        let mr = GEMMMicroKernel.mr, nr = GEMMMicroKernel.nr
        let packedA = workspace.packedA, packedB = workspace.packedB

        // Slices and row blocks of equal size (rounded up to 8 or MR) instead of full ones and a
        // thin remainder: k = 784 becomes 3 x 264 (the last 256) rather than 2 x 384 + 16.
        let kcStep = balancedStep(k, limit: kc, multiple: 8)
        let mcStep = balancedStep(m, limit: mc, multiple: mr)

        // Loop 5: split n into nc-wide column panels of op(B) and C.
        for jc in stride(from: 0, to: n, by: nc) {
            let ncCurrent = min(nc, n - jc)

            // Loop 4: split k into kc-deep slices; pack the kc x nc panel of op(B) once per slice.
            for pc in stride(from: 0, to: k, by: kcStep) {
                let kcCurrent = min(kcStep, k - pc)
                GEMMPacking.packB(transB, b: b, ldb: ldb, p0: pc, j0: jc, kc: kcCurrent, nc: ncCurrent, into: packedB)
                // The first slice applies the caller's beta; later ones add to what it wrote.
                let betaSlice = pc == 0 ? beta : 1

                // Loop 3: split m into mc-tall row blocks of op(A) and C; pack each block.
                for ic in stride(from: 0, to: m, by: mcStep) {
                    let mcCurrent = min(mcStep, m - ic)
                    GEMMPacking.packA(transA, a: a, lda: lda, i0: ic, p0: pc, mc: mcCurrent, kc: kcCurrent, into: packedA)

                    // Loop 2: walk the NR-wide micro-panels of packed B; each is reused by all of loop 1.
                    for jr in stride(from: 0, to: ncCurrent, by: nr) {
                        let columns = min(nr, ncCurrent - jr)
                        let panelB = packedB + jr * kcCurrent

                        // Loop 1: walk the MR-tall micro-panels of packed A against it.
                        for ir in stride(from: 0, to: mcCurrent, by: mr) {
                            let rows = min(mr, mcCurrent - ir)
                            let panelA = packedA + ir * kcCurrent
                            let tile = c + (ic + ir) * ldc + jc + jr
                            if rows == mr && columns == nr {
                                GEMMMicroKernel.kernel(
                                    kc: kcCurrent, a: panelA, b: panelB,
                                    alpha: alpha, beta: betaSlice, c: tile, ldc: ldc)
                            } else {
                                GEMMMicroKernel.edgeKernel(
                                    kc: kcCurrent, a: panelA, b: panelB,
                                    alpha: alpha, beta: betaSlice, c: tile, ldc: ldc,
                                    rows: rows, columns: columns, scratch: workspace.edgeTile)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The step that cuts `extent` into `ceil(extent / limit)` nearly equal pieces, rounded up to
    /// a multiple of `multiple` but never above `limit` (itself a multiple of `multiple`).
    static func balancedStep(_ extent: Int, limit: Int, multiple: Int) -> Int {
        let pieces = (extent + limit - 1) / limit
        let even = (extent + pieces - 1) / pieces
        return min(limit, (even + multiple - 1) / multiple * multiple)
    }
}
