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
            case .none where rows == mr:
                // Row i of the panel is contiguous in A: transpose 8 x 8 blocks into columns.
                let source = a + (i0 + ir) * lda + p0
                let blocked = kc & ~7
                for p in stride(from: 0, to: blocked, by: 8) {
                    transpose8x8(source + p, stride: lda, into: panel + p &* mr, stride: mr)
                }
                for p in blocked..<kc {
                    for i in 0..<mr { panel[p &* mr &+ i] = source[i &* lda &+ p] }
                }
            case .none:
                // A partial panel: read each row along p, write with stride MR, pad with zeros.
                for i in 0..<rows {
                    let source = a + (i0 + ir + i) * lda + p0
                    for p in 0..<kc { panel[p &* mr &+ i] = source[p] }
                }
                if rows < mr {
                    for p in 0..<kc { (panel + p &* mr + rows).update(repeating: 0, count: mr - rows) }
                }
            case .transposed where rows == mr:
                // Column p of the panel is contiguous in A: one 8-float vector per p.
                for p in 0..<kc {
                    let source = UnsafeRawPointer(a + (p0 + p) * lda + i0 + ir)
                    UnsafeMutableRawPointer(panel + p &* mr).storeBytes(
                        of: source.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                }
            case .transposed:
                // A partial panel: copy the existing rows of each column, pad with zeros.
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
            case .none where columns == nr:
                // Row p of the panel is contiguous in B: NR / 8 vectors of 8 per p.
                for p in 0..<kc {
                    let source = UnsafeRawPointer(b + (p0 + p) * ldb + j0 + jr)
                    let target = UnsafeMutableRawPointer(panel + p &* nr)
                    for offset in stride(from: 0, to: nr &* 4, by: 32) {
                        target.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self),
                                          toByteOffset: offset, as: SIMD8<Float>.self)
                    }
                }
            case .none:
                // A partial panel: copy the existing columns of each row, pad with zeros.
                for p in 0..<kc {
                    let source = b + (p0 + p) * ldb + j0 + jr
                    let target = panel + p &* nr
                    target.update(from: source, count: columns)
                    if columns < nr { (target + columns).update(repeating: 0, count: nr - columns) }
                }
            case .transposed where columns == nr:
                // Column j of the panel is a row of B as stored, contiguous along p: transpose
                // 8 x 8 blocks (8 columns by 8 values of p) into rows of the panel.
                let source = b + (j0 + jr) * ldb + p0
                let blocked = kc & ~7
                for p in stride(from: 0, to: blocked, by: 8) {
                    for jb in stride(from: 0, to: nr, by: 8) {
                        transpose8x8(source + (jb &* ldb &+ p), stride: ldb, into: panel + (p &* nr &+ jb), stride: nr)
                    }
                }
                for p in blocked..<kc {
                    for j in 0..<nr { panel[p &* nr &+ j] = source[j &* ldb &+ p] }
                }
            case .transposed:
                // A partial panel: read each column along p, write with stride NR, pad with zeros.
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

    /// Writes the transpose of the 8 x 8 block at `source` (rows `stride` apart) to `target`
    /// (rows `targetStride` apart): `target[q][r] = source[r][q]`.
    ///
    /// Three rounds of pairwise interleaving: with `zipLow(x, y) = (x0, y0, x1, y1, .., x3, y3)`
    /// and `zipHigh` the same on lanes 4...7, replacing rows (r_0 .. r_7) by
    /// (zipLow(r_0, r_4), zipHigh(r_0, r_4), zipLow(r_1, r_5), ...) three times moves element
    /// (i, j) to (j, i), since each round rotates the 6-bit index (i, j) by one bit. Each
    /// interleave is a single two-source shuffle instruction; 24 shuffles per 64 floats, against
    /// one scattered store per float for an element-by-element copy.
    @inline(__always)
    static func transpose8x8(
        _ source: UnsafePointer<Float>, stride: Int,
        into target: UnsafeMutablePointer<Float>, stride targetStride: Int
    ) {
        typealias V = SIMD8<Float>
        @inline(__always) func row(_ r: Int) -> V {
            UnsafeRawPointer(source + r &* stride).loadUnaligned(as: V.self)
        }
        @inline(__always) func zipLow(_ x: V, _ y: V) -> V { V(x[0], y[0], x[1], y[1], x[2], y[2], x[3], y[3]) }
        @inline(__always) func zipHigh(_ x: V, _ y: V) -> V { V(x[4], y[4], x[5], y[5], x[6], y[6], x[7], y[7]) }
        var (r0, r1, r2, r3, r4, r5, r6, r7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
        for _ in 0..<3 {
            (r0, r1, r2, r3, r4, r5, r6, r7) = (
                zipLow(r0, r4), zipHigh(r0, r4), zipLow(r1, r5), zipHigh(r1, r5),
                zipLow(r2, r6), zipHigh(r2, r6), zipLow(r3, r7), zipHigh(r3, r7))
        }
        @inline(__always) func store(_ vector: V, _ q: Int) {
            UnsafeMutableRawPointer(target + q &* targetStride).storeBytes(of: vector, as: V.self)
        }
        store(r0, 0); store(r1, 1); store(r2, 2); store(r3, 3)
        store(r4, 4); store(r5, 5); store(r6, 6); store(r7, 7)
    }
}
