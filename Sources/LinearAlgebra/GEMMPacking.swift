/// Packing: copying a block of op(A) or op(B) into the contiguous, micro-kernel-ordered layout
/// that ``GEMMMicroKernel`` reads, so that the kernel sees one layout whatever the transposes
/// and leading dimensions were.
///
/// Packed A (an mc x kc block of op(A)) is a sequence of micro-panels of MR rows; inside one,
/// column p of the panel is MR consecutive floats:
///
///     a~[panel][p][i] = op(A)[i0 + panel * MR + i][p0 + p]
///
/// Packed B (a kc x nc block of op(B)) is a sequence of micro-panels of NR columns; inside
/// one, row p is NR consecutive floats:
///
///     b~[panel][p][j] = op(B)[p0 + p][j0 + panel * NR + j]
///
/// The last micro-panel of a block whose size is not a multiple of MR (NR) is padded with
/// zeros, so the kernel always runs on full tiles and the padding adds exactly 0 to every sum.
/// Packing is O(mc kc) or O(kc nc) and is amortised over the O(mc nc kc) products of the block.
enum GEMMPacking {
    /// Packs the mc x kc block of op(A) whose top-left element is op(A)[i0][p0] into `packed`
    /// (`ceil(mc / MR) * MR * kc` floats).
    ///
    /// - Parameters:
    ///   - a: A as stored (row-major, leading dimension `lda`); op(A)[i][p] is `a[i * lda + p]`
    ///     for `.none` and `a[p * lda + i]` for `.transposed`.
    static func packA(
        _ transA: Transpose, a: UnsafePointer<Float>, lda: Int,
        i0: Int, p0: Int, mc: Int, kc: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        let mr = GEMMMicroKernel.mr
        var panel = packed
        for ir in stride(from: 0, to: mc, by: mr) {
            let rows = min(mr, mc - ir)
            switch transA {
            case .none:
                // Row i of the panel is contiguous in A: read it along p, write with stride MR.
                for i in 0..<rows {
                    let source = a + (i0 + ir + i) * lda + p0
                    for p in 0..<kc { panel[p &* mr &+ i] = source[p] }
                }
                if rows < mr {
                    for p in 0..<kc { (panel + p &* mr + rows).update(repeating: 0, count: mr - rows) }
                }
            case .transposed:
                // Column p of the panel is contiguous in A: MR floats at a time.
                for p in 0..<kc {
                    let source = a + (p0 + p) * lda + i0 + ir
                    let target = panel + p &* mr
                    target.update(from: source, count: rows)
                    if rows < mr { (target + rows).update(repeating: 0, count: mr - rows) }
                }
            }
            panel += mr * kc
        }
    }

    /// Packs the kc x nc block of op(B) whose top-left element is op(B)[p0][j0] into `packed`
    /// (`ceil(nc / NR) * NR * kc` floats).
    ///
    /// - Parameters:
    ///   - b: B as stored (row-major, leading dimension `ldb`); op(B)[p][j] is `b[p * ldb + j]`
    ///     for `.none` and `b[j * ldb + p]` for `.transposed`.
    static func packB(
        _ transB: Transpose, b: UnsafePointer<Float>, ldb: Int,
        p0: Int, j0: Int, kc: Int, nc: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        let nr = GEMMMicroKernel.nr
        var panel = packed
        for jr in stride(from: 0, to: nc, by: nr) {
            let columns = min(nr, nc - jr)
            switch transB {
            case .none:
                // Row p of the panel is contiguous in B: NR floats at a time.
                for p in 0..<kc {
                    let source = b + (p0 + p) * ldb + j0 + jr
                    let target = panel + p &* nr
                    target.update(from: source, count: columns)
                    if columns < nr { (target + columns).update(repeating: 0, count: nr - columns) }
                }
            case .transposed:
                // Column j of the panel is contiguous in B (a row of B as stored): read along p,
                // write with stride NR.
                for j in 0..<columns {
                    let source = b + (j0 + jr + j) * ldb + p0
                    for p in 0..<kc { panel[p &* nr &+ j] = source[p] }
                }
                if columns < nr {
                    for p in 0..<kc { (panel + p &* nr + columns).update(repeating: 0, count: nr - columns) }
                }
            }
            panel += nr * kc
        }
    }
}
