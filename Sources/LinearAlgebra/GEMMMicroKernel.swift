/// The innermost piece of the pure-Swift GEMM: an MR x NR tile of C computed from one packed
/// micro-panel of A and one of B, accumulated in SIMD registers and written to C once.
///
/// Given `a~` (MR rows of op(A), kc deep, stored column by column: `a~[p * MR + i]`) and `b~`
/// (NR columns of op(B), kc deep, stored row by row: `b~[p * NR + j]`), the kernel forms
///
///     AB[i][j] = sum_{p < kc} a~[p * MR + i] * b~[p * NR + j]
///
/// as kc rank-1 updates of MR x NR accumulators (each row of the tile is two vectors), and
/// only then touches C:
///
///     C[i][j] <- alpha * AB[i][j]                  when beta == 0 (C is never read)
///     C[i][j] <- alpha * AB[i][j] + beta * C[i][j] otherwise
///
/// ## Shapes
///
/// The vector and the tile follow the compiler's target (``GEMMKernelKind/compiled``, read from
/// the target's own feature macros through `CTargetFeatures`, so a plain build, a
/// `-target-cpu haswell` (x86-64-v3) build and a `-target-cpu native` build each get their shape with no
/// define). MR is 8 for all of them; NR is two vectors:
///
/// - AVX-512 (`SIMD16<Float>`, 32 registers): 8 x 32 in one pass, 16 accumulators, 2 vectors
///   of B and a broadcast of A: 19 of the 32 registers.
/// - AVX2 + FMA (`SIMD8<Float>`, 16 registers) and portable (`SIMD4<Float>`, one SSE or NEON
///   register, 16 of them): 8 x 16 and 8 x 8, each in two passes of 4 rows, so that 8
///   accumulators, 2 vectors of B, a broadcast and a product fit the 16 registers without
///   spilling; B is read twice from L1. Eight independent accumulators cover the latency of
///   two FMA pipes of 4 cycles (Zen 3).
///
/// FMA is used where the target has it (see ``GEMMVector/multiplyAdd(_:_:_:)``); the shapes
/// differ only in rounding, which the tests' tolerance covers.
enum GEMMMicroKernel {
    /// Rows of the C tile (MR): the micro-panels of packed A are MR rows tall.
    static var mr: Int { 8 }
    /// Columns of the C tile (NR = 2 vectors): the micro-panels of packed B are NR columns wide.
    @inline(__always)
    static var nr: Int {
        switch GEMMKernelKind.compiled {
        case .avx512: 32
        case .avx2: 16
        case .portable: 8
        }
    }

    /// C[0..<MR][0..<NR] <- alpha * a~ b~ + beta * C for one full tile at `c` (row stride `ldc`).
    ///
    /// - Parameters:
    ///   - kc: depth of the micro-panels (>= 1).
    ///   - a: packed A micro-panel, `kc * MR` floats.
    ///   - b: packed B micro-panel, `kc * NR` floats, aligned to a vector.
    ///   - c: the tile's top-left element; all MR x NR elements are written.
    @inline(__always)
    static func kernel(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        alpha: Float, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        switch GEMMKernelKind.compiled {
        case .avx512:
            GEMMTile<SIMD16<Float>>.eightRows(kc: kc, a: a, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
        case .avx2:
            GEMMTile<SIMD8<Float>>.twoPasses(kc: kc, a: a, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
        case .portable:
            GEMMTile<SIMD4<Float>>.twoPasses(kc: kc, a: a, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
        }
    }

    /// The kernel for a tile cut by the edge of C: only `rows x columns` (<= MR x NR) exist.
    ///
    /// The full tile is computed into `scratch` (MR * NR floats, beta = 0, so the scratch is
    /// never read) and only the existing part is copied out, with beta applied there; nothing
    /// outside the `rows x columns` window of C is read or written. The zero padding of the
    /// packed panels makes the extra rows and columns of the scratch tile harmless.
    static func edgeKernel(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        alpha: Float, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Int, columns: Int,
        scratch: UnsafeMutablePointer<Float>
    ) {
        switch GEMMKernelKind.compiled {
        case .avx512:
            GEMMTile<SIMD16<Float>>.edge(kc: kc, a: a, b: b, alpha: alpha, rows: rows, columns: columns, scratch: scratch)
        case .avx2:
            GEMMTile<SIMD8<Float>>.edge(kc: kc, a: a, b: b, alpha: alpha, rows: rows, columns: columns, scratch: scratch)
        case .portable:
            GEMMTile<SIMD4<Float>>.edge(kc: kc, a: a, b: b, alpha: alpha, rows: rows, columns: columns, scratch: scratch)
        }
        let nr = Self.nr
        for i in 0..<rows {
            let source = scratch + i &* nr
            let target = c + i &* ldc
            if beta == 0 {
                target.update(from: source, count: columns)
            } else {
                for j in 0..<columns { target[j] = source[j] + beta * target[j] }
            }
        }
    }
}

/// The micro-kernel's code for one vector type (``GEMMMicroKernel`` picks the type): NR = 2
/// vectors, MR = 8, packed panels as ``GEMMPacking`` lays them out.
enum GEMMTile<Vector: GEMMVector> {
    static var nr: Int { 2 * Vector.scalarCount }

    /// One row of the tile: NR accumulators as two vectors.
    struct Row {
        var low = Vector()
        var high = Vector()

        /// row += a * (bLow, bHigh), one rank-1 update of this row.
        @inline(__always)
        mutating func update(_ a: Float, _ bLow: Vector, _ bHigh: Vector) {
            let broadcast = Vector(repeating: a)
            low = Vector.multiplyAdd(low, broadcast, bLow)
            high = Vector.multiplyAdd(high, broadcast, bHigh)
        }

        /// Writes alpha * row (+ beta * C) to the NR floats at `c`; never reads C when beta == 0.
        @inline(__always)
        func store(to c: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
            let raw = UnsafeMutableRawPointer(c)
            let half = MemoryLayout<Vector>.stride
            let scale = Vector(repeating: alpha)
            var outLow = Vector.multiply(low, scale)
            var outHigh = Vector.multiply(high, scale)
            if beta != 0 {
                let b = Vector(repeating: beta)
                outLow = Vector.multiplyAdd(outLow, b, raw.loadUnaligned(as: Vector.self))
                outHigh = Vector.multiplyAdd(outHigh, b, raw.loadUnaligned(fromByteOffset: half, as: Vector.self))
            }
            raw.storeBytes(of: outLow, as: Vector.self)
            raw.storeBytes(of: outHigh, toByteOffset: half, as: Vector.self)
        }
    }

    /// All 8 rows in one pass: 16 accumulators, each B vector loaded once per p (for 32 registers).
    @inline(__always)
    static func eightRows(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        alpha: Float, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var r0 = Row(), r1 = Row(), r2 = Row(), r3 = Row()
        var r4 = Row(), r5 = Row(), r6 = Row(), r7 = Row()
        var pa = a
        var pb = UnsafeRawPointer(b)
        let half = MemoryLayout<Vector>.stride
        for _ in 0..<kc {
            let bLow = pb.load(as: Vector.self)
            let bHigh = pb.load(fromByteOffset: half, as: Vector.self)
            r0.update(pa[0], bLow, bHigh)
            r1.update(pa[1], bLow, bHigh)
            r2.update(pa[2], bLow, bHigh)
            r3.update(pa[3], bLow, bHigh)
            r4.update(pa[4], bLow, bHigh)
            r5.update(pa[5], bLow, bHigh)
            r6.update(pa[6], bLow, bHigh)
            r7.update(pa[7], bLow, bHigh)
            pa += 8
            pb += 2 &* half
        }
        r0.store(to: c, alpha: alpha, beta: beta)
        r1.store(to: c + ldc, alpha: alpha, beta: beta)
        r2.store(to: c + 2 &* ldc, alpha: alpha, beta: beta)
        r3.store(to: c + 3 &* ldc, alpha: alpha, beta: beta)
        r4.store(to: c + 4 &* ldc, alpha: alpha, beta: beta)
        r5.store(to: c + 5 &* ldc, alpha: alpha, beta: beta)
        r6.store(to: c + 6 &* ldc, alpha: alpha, beta: beta)
        r7.store(to: c + 7 &* ldc, alpha: alpha, beta: beta)
    }

    /// Two passes of 4 rows (for 16 registers).
    @inline(__always)
    static func twoPasses(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        alpha: Float, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        fourRows(kc: kc, a: a, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
        fourRows(kc: kc, a: a + 4, b: b, alpha: alpha, beta: beta, c: c + 4 &* ldc, ldc: ldc)
    }

    /// Rows `0..<4` of a tile whose packed A micro-panel starts at `a` (still MR = 8 floats per
    /// p apart): half of ``twoPasses(kc:a:b:alpha:beta:c:ldc:)``, and the kernel of edge tiles
    /// with at most 4 rows.
    @inline(__always)
    static func fourRows(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        alpha: Float, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var r0 = Row(), r1 = Row(), r2 = Row(), r3 = Row()
        var pa = a
        var pb = UnsafeRawPointer(b)
        let half = MemoryLayout<Vector>.stride
        for _ in 0..<kc {
            let bLow = pb.load(as: Vector.self)
            let bHigh = pb.load(fromByteOffset: half, as: Vector.self)
            r0.update(pa[0], bLow, bHigh)
            r1.update(pa[1], bLow, bHigh)
            r2.update(pa[2], bLow, bHigh)
            r3.update(pa[3], bLow, bHigh)
            pa += 8
            pb += 2 &* half
        }
        r0.store(to: c, alpha: alpha, beta: beta)
        r1.store(to: c + ldc, alpha: alpha, beta: beta)
        r2.store(to: c + 2 &* ldc, alpha: alpha, beta: beta)
        r3.store(to: c + 3 &* ldc, alpha: alpha, beta: beta)
    }

    /// alpha a~ b~ on the left NR/2 columns of the tile, into the first NR/2 floats of each of
    /// the MR rows of `c` (rows NR floats apart, as in the edge scratch tile); beta = 0.
    static func narrow(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, alpha: Float, c: UnsafeMutablePointer<Float>
    ) {
        var r0 = Vector(), r1 = Vector(), r2 = Vector(), r3 = Vector()
        var r4 = Vector(), r5 = Vector(), r6 = Vector(), r7 = Vector()
        var pa = a
        var pb = UnsafeRawPointer(b)
        let bStep = 2 * MemoryLayout<Vector>.stride
        for _ in 0..<kc {
            let bLow = pb.load(as: Vector.self)
            r0 = Vector.multiplyAdd(r0, Vector(repeating: pa[0]), bLow)
            r1 = Vector.multiplyAdd(r1, Vector(repeating: pa[1]), bLow)
            r2 = Vector.multiplyAdd(r2, Vector(repeating: pa[2]), bLow)
            r3 = Vector.multiplyAdd(r3, Vector(repeating: pa[3]), bLow)
            r4 = Vector.multiplyAdd(r4, Vector(repeating: pa[4]), bLow)
            r5 = Vector.multiplyAdd(r5, Vector(repeating: pa[5]), bLow)
            r6 = Vector.multiplyAdd(r6, Vector(repeating: pa[6]), bLow)
            r7 = Vector.multiplyAdd(r7, Vector(repeating: pa[7]), bLow)
            pa += 8
            pb += bStep
        }
        let scale = Vector(repeating: alpha)
        @inline(__always) func store(_ row: Vector, _ i: Int) {
            UnsafeMutableRawPointer(c + i &* nr).storeBytes(of: Vector.multiply(row, scale), as: Vector.self)
        }
        store(r0, 0); store(r1, 1); store(r2, 2); store(r3, 3)
        store(r4, 4); store(r5, 5); store(r6, 6); store(r7, 7)
    }

    /// alpha a~ b~ into the scratch tile (rows NR floats apart), doing half the work where half
    /// the tile is missing.
    @inline(__always)
    static func edge(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, alpha: Float,
        rows: Int, columns: Int, scratch: UnsafeMutablePointer<Float>
    ) {
        if columns <= nr / 2 {
            narrow(kc: kc, a: a, b: b, alpha: alpha, c: scratch)
        } else if rows <= 4 {
            fourRows(kc: kc, a: a, b: b, alpha: alpha, beta: 0, c: scratch, ldc: nr)
        } else if Vector.scalarCount >= 16 {
            eightRows(kc: kc, a: a, b: b, alpha: alpha, beta: 0, c: scratch, ldc: nr)
        } else {
            twoPasses(kc: kc, a: a, b: b, alpha: alpha, beta: 0, c: scratch, ldc: nr)
        }
    }
}
