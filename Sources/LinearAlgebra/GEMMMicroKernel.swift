/// The innermost piece of the pure-Swift GEMM: an MR x NR tile of C computed from one packed
/// micro-panel of A and one of B, accumulated in SIMD registers and written to C once.
///
/// Given `a~` (MR rows of op(A), kc deep, stored column by column: `a~[p * MR + i]`) and `b~`
/// (NR columns of op(B), kc deep, stored row by row: `b~[p * NR + j]`), the kernel forms
///
///     AB[i][j] = sum_{p < kc} a~[p * MR + i] * b~[p * NR + j]
///
/// as kc rank-1 updates of MR x NR accumulators (each row of the tile is two vectors of
/// ``Vector``), and only then touches C:
///
///     C[i][j] <- alpha * AB[i][j]                  when beta == 0 (C is never read)
///     C[i][j] <- alpha * AB[i][j] + beta * C[i][j] otherwise
///
/// ## Vector width and FMA
///
/// Swift has no `#if` on target features, so the build says what the CPU has through two
/// compile-time defines (the Makefile adds them to the native release flags when
/// `/proc/cpuinfo` lists the feature):
///
/// - `SWIFTMLP_AVX512`: 32 registers of 512 bits. ``Vector`` is `SIMD16<Float>`, the tile is
///   8 x 32 (16 accumulators, 2 vectors of B and a broadcast of A: 19 of the 32 registers).
/// - otherwise ``Vector`` is `SIMD4<Float>` (one SSE register of baseline x86-64 or one NEON
///   register) and the tile is 8 x 8, computed in two passes of 4 rows so that 8 accumulators,
///   2 vectors of B, a broadcast and a product fit the 16 registers without spilling.
/// - `SWIFTMLP_FMA`: the target has fused multiply-add, and `acc.addingProduct(a, b)` compiles
///   to one `vfmadd` per vector. Without it that call becomes a libm `fmaf` per lane (below
///   1 GFLOP/s), so the portable path writes `acc + a * b` (two rounded operations; the tests'
///   tolerance covers either).
///
/// Neither define changes results beyond rounding; a build without them is portable and
/// correct, only slower (about 35 against 100+ GFLOP/s on one Zen 4 core). A define whose
/// feature the target lacks is still correct but slow (spilled 512-bit vectors, or a libm call
/// per lane), so the defines belong only next to `-target-cpu native` on a CPU that has the
/// feature. The Makefile's release flags:
///
///     CPU_DEFINES := $(if $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo y),-Xswiftc -DSWIFTMLP_AVX512) \
///                    $(if $(shell grep -qw fma /proc/cpuinfo 2>/dev/null && echo y),-Xswiftc -DSWIFTMLP_FMA)
///     NATIVE := -Xswiftc -target-cpu -Xswiftc native $(CPU_DEFINES)
enum GEMMMicroKernel {
    #if SWIFTMLP_AVX512
    /// The SIMD type holding half a row of the tile.
    typealias Vector = SIMD16<Float>
    #else
    /// The SIMD type holding half a row of the tile.
    typealias Vector = SIMD4<Float>
    #endif

    /// Rows of the C tile (MR): the micro-panels of packed A are MR rows tall.
    static let mr = 8
    /// Columns of the C tile (NR = 2 vectors): the micro-panels of packed B are NR columns wide.
    static let nr = 2 * Vector.scalarCount

    /// acc + a * b, fused when the target has FMA (see the type's discussion).
    @inline(__always)
    static func multiplyAdd(_ acc: Vector, _ a: Vector, _ b: Vector) -> Vector {
        #if SWIFTMLP_FMA
        acc.addingProduct(a, b)
        #else
        acc + a * b
        #endif
    }

    /// One row of the tile: NR accumulators as two vectors.
    struct Row {
        var low = Vector()
        var high = Vector()

        /// row += a * (bLow, bHigh), one rank-1 update of this row.
        @inline(__always)
        mutating func update(_ a: Float, _ bLow: Vector, _ bHigh: Vector) {
            let broadcast = Vector(repeating: a)
            low = GEMMMicroKernel.multiplyAdd(low, broadcast, bLow)
            high = GEMMMicroKernel.multiplyAdd(high, broadcast, bHigh)
        }

        /// Writes alpha * row (+ beta * C) to the NR floats at `c`; never reads C when beta == 0.
        @inline(__always)
        func store(to c: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
            let raw = UnsafeMutableRawPointer(c)
            let half = MemoryLayout<Vector>.stride
            var outLow = low * alpha
            var outHigh = high * alpha
            if beta != 0 {
                outLow = GEMMMicroKernel.multiplyAdd(outLow, Vector(repeating: beta), raw.loadUnaligned(as: Vector.self))
                outHigh = GEMMMicroKernel.multiplyAdd(
                    outHigh, Vector(repeating: beta), raw.loadUnaligned(fromByteOffset: half, as: Vector.self))
            }
            raw.storeBytes(of: outLow, as: Vector.self)
            raw.storeBytes(of: outHigh, toByteOffset: half, as: Vector.self)
        }
    }

    /// C[0..<MR][0..<NR] <- alpha * a~ b~ + beta * C for one full tile at `c` (row stride `ldc`).
    ///
    /// - Parameters:
    ///   - kc: depth of the micro-panels (>= 1).
    ///   - a: packed A micro-panel, `kc * MR` floats.
    ///   - b: packed B micro-panel, `kc * NR` floats, aligned to a vector.
    ///   - c: the tile's top-left element; all MR x NR elements are written.
    static func kernel(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        alpha: Float, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        #if SWIFTMLP_AVX512
        // All 8 rows in one pass: 16 accumulators, each B vector loaded once per p.
        var r0 = Row(), r1 = Row(), r2 = Row(), r3 = Row()
        var r4 = Row(), r5 = Row(), r6 = Row(), r7 = Row()
        var pa = a
        var pb = UnsafeRawPointer(b)
        let half = MemoryLayout<Vector>.stride
        let bStep = 2 * half
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
            pb += bStep
        }
        r0.store(to: c, alpha: alpha, beta: beta)
        r1.store(to: c + ldc, alpha: alpha, beta: beta)
        r2.store(to: c + 2 &* ldc, alpha: alpha, beta: beta)
        r3.store(to: c + 3 &* ldc, alpha: alpha, beta: beta)
        r4.store(to: c + 4 &* ldc, alpha: alpha, beta: beta)
        r5.store(to: c + 5 &* ldc, alpha: alpha, beta: beta)
        r6.store(to: c + 6 &* ldc, alpha: alpha, beta: beta)
        r7.store(to: c + 7 &* ldc, alpha: alpha, beta: beta)
        #else
        // Two passes of 4 rows: 8 accumulators, 2 B vectors, a broadcast and a product fit
        // the 16 registers of SSE or NEON without spilling; B is read twice from L1.
        fourRows(kc: kc, a: a, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
        fourRows(kc: kc, a: a + 4, b: b, alpha: alpha, beta: beta, c: c + 4 &* ldc, ldc: ldc)
        #endif
    }

    /// Rows `0..<4` of a tile whose packed A micro-panel starts at `a` (still MR = 8 floats per
    /// p apart): the portable kernel's half, and the kernel of edge tiles with at most 4 rows.
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
            pa += mr
            pb += 2 &* half
        }
        r0.store(to: c, alpha: alpha, beta: beta)
        r1.store(to: c + ldc, alpha: alpha, beta: beta)
        r2.store(to: c + 2 &* ldc, alpha: alpha, beta: beta)
        r3.store(to: c + 3 &* ldc, alpha: alpha, beta: beta)
    }

    /// alpha a~ b~ on the left NR/2 columns of the tile, into the first NR/2 floats of each of
    /// the MR rows of `c` (rows NR floats apart, as in the edge scratch tile); beta = 0.
    static func narrowKernel(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, alpha: Float, c: UnsafeMutablePointer<Float>
    ) {
        var r0 = Vector(), r1 = Vector(), r2 = Vector(), r3 = Vector()
        var r4 = Vector(), r5 = Vector(), r6 = Vector(), r7 = Vector()
        var pa = a
        var pb = UnsafeRawPointer(b)
        let bStep = 2 * MemoryLayout<Vector>.stride
        for _ in 0..<kc {
            let bLow = pb.load(as: Vector.self)
            r0 = multiplyAdd(r0, Vector(repeating: pa[0]), bLow)
            r1 = multiplyAdd(r1, Vector(repeating: pa[1]), bLow)
            r2 = multiplyAdd(r2, Vector(repeating: pa[2]), bLow)
            r3 = multiplyAdd(r3, Vector(repeating: pa[3]), bLow)
            r4 = multiplyAdd(r4, Vector(repeating: pa[4]), bLow)
            r5 = multiplyAdd(r5, Vector(repeating: pa[5]), bLow)
            r6 = multiplyAdd(r6, Vector(repeating: pa[6]), bLow)
            r7 = multiplyAdd(r7, Vector(repeating: pa[7]), bLow)
            pa += 8
            pb += bStep
        }
        @inline(__always) func store(_ row: Vector, _ i: Int) {
            UnsafeMutableRawPointer(c + i &* nr).storeBytes(of: row * alpha, as: Vector.self)
        }
        store(r0, 0); store(r1, 1); store(r2, 2); store(r3, 3)
        store(r4, 4); store(r5, 5); store(r6, 6); store(r7, 7)
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
        // Half the work where half the tile is missing.
        if columns <= nr / 2 {
            narrowKernel(kc: kc, a: a, b: b, alpha: alpha, c: scratch)
        } else if rows <= 4 {
            fourRows(kc: kc, a: a, b: b, alpha: alpha, beta: 0, c: scratch, ldc: nr)
        } else {
            kernel(kc: kc, a: a, b: b, alpha: alpha, beta: 0, c: scratch, ldc: nr)
        }
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
