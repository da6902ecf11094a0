/// The product of few rows, C <- alpha A B^T + beta C, as dot products along the rows of B as
/// stored: no packing.
///
/// This is a layer's forward product Z = A W^T for a small batch, with W stored `[out, in]`
/// (so B = W, `transB == .transposed`): each element is
///
///     C[i][j] = alpha * sum_{p < k} A[i][p] * B[j][p] + beta * C[i][j]
///
/// and both A's row i and B's row j are contiguous along p. The packed kernel would copy all of
/// W into panels on every call (0.8 MB for a 784 x 256 layer, several times the arithmetic of
/// a single row); here W is read once, in place, four rows at a time while they stay in L1 for
/// every row of A. Rows of A go in pairs: per 2 rows of A and 4 rows of B the accumulators are 8
/// vectors, fed by 6 loads per step, so each vector of B serves two rows (1.4x faster at batch 8
/// than one row at a time, which needs 10 loads per 8 FMAs); an odd last row takes 4 columns x 2
/// independent sums along p. Rounding differs from the packed kernel's order (and a row's
/// rounding from its pair's to its single form), within the tests' tolerance.
enum GEMMDotKernel {
    /// The most rows of C the dot path takes. Above it the packed kernel wins: packing W costs
    /// about as much as 8 rows of dot products (measured in `mlp-bench infer` on Zen 3).
    static let rowLimit = 8

    /// Products on the dot path of fewer multiply-adds than this (2^16) run on the calling
    /// thread alone; larger ones are cut into bands of columns, one per thread. Lower than the
    /// packed kernel's limit because the dot path is bound by reading B: a 784 x 256 layer's W
    /// (0.8 MB) does not fit one Zen 3 core's 512 KiB L2, but each half fits its own core's,
    /// so at batch 1 two threads read W from two L2 caches instead of L3.
    static let inlineLimit = 1 << 16

    /// Whether a product of this shape takes the dot path.
    @inline(__always)
    static func applies(transA: Transpose, transB: Transpose, m: Int) -> Bool {
        transA == .none && transB == .transposed && m <= rowLimit
    }

    /// C <- alpha A B^T + beta C for operands the dot path applies to (``applies(transA:transB:m:)``):
    /// A `m x k` (row stride `lda`), B `n x k` (row stride `ldb`), C `m x n` (row stride `ldc`);
    /// m, n, k >= 1. C is never read when beta == 0.
    static func multiply(_ p: GEMMOperands) {
        precondition(p.transA == .none && p.transB == .transposed, "GEMMDotKernel: only C = A B^T")
        switch GEMMKernelKind.compiled {
        case .avx512: GEMMDots<SIMD16<Float>>.multiply(p)
        case .avx2: GEMMDots<SIMD8<Float>>.multiply(p)
        case .portable: GEMMDots<SIMD4<Float>>.multiply(p)
        }
    }
}

/// ``GEMMDotKernel`` for one vector type.
enum GEMMDots<Vector: GEMMVector> {
    static func multiply(_ p: GEMMOperands) {
        let (m, n, k, alpha, beta) = (p.m, p.n, p.k, p.alpha, p.beta)
        let (a, lda, b, ldb, c, ldc) = (p.a, p.lda, p.b, p.ldb, p.c, p.ldc)
        var j = 0
        while j + 4 <= n {
            var i = 0
            while i + 2 <= m {
                let (upper, lower) = eightDots(a + i &* lda, a + (i + 1) &* lda, b + j &* ldb, ldb: ldb, k: k)
                store(upper, to: c + i &* ldc + j, alpha: alpha, beta: beta)
                store(lower, to: c + (i + 1) &* ldc + j, alpha: alpha, beta: beta)
                i += 2
            }
            if i < m {
                let (s0, s1, s2, s3) = fourDots(a + i &* lda, b + j &* ldb, ldb: ldb, k: k)
                store((s0, s1, s2, s3), to: c + i &* ldc + j, alpha: alpha, beta: beta)
            }
            j += 4
        }
        while j < n {
            for i in 0..<m {
                store(dot(a + i &* lda, b + j &* ldb, k: k), to: c + i &* ldc + j, alpha: alpha, beta: beta)
            }
            j += 1
        }
    }

    /// c[0..<4] <- alpha s + beta c[0..<4].
    @inline(__always)
    static func store(_ s: (Float, Float, Float, Float), to c: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
        store(s.0, to: c, alpha: alpha, beta: beta)
        store(s.1, to: c + 1, alpha: alpha, beta: beta)
        store(s.2, to: c + 2, alpha: alpha, beta: beta)
        store(s.3, to: c + 3, alpha: alpha, beta: beta)
    }

    /// c <- alpha s + beta c, never reading c when beta == 0.
    @inline(__always)
    static func store(_ s: Float, to c: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
        c.pointee = beta == 0 ? alpha * s : alpha * s + beta * c.pointee
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>, _ p: Int) -> Vector {
        UnsafeRawPointer(pointer + p).loadUnaligned(as: Vector.self)
    }

    /// The dot products of `x` with the 4 rows at `y`, `y + ldb`, `y + 2 ldb`, `y + 3 ldb`.
    @inline(__always)
    static func fourDots(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, ldb: Int, k: Int)
        -> (Float, Float, Float, Float)
    {
        let y0 = y, y1 = y + ldb, y2 = y + 2 &* ldb, y3 = y + 3 &* ldb
        let width = Vector.scalarCount
        var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
        var b0 = Vector(), b1 = Vector(), b2 = Vector(), b3 = Vector()
        var p = 0
        while p + 2 &* width <= k {
            let xLow = load(x, p), xHigh = load(x, p &+ width)
            a0 = Vector.multiplyAdd(a0, xLow, load(y0, p)); b0 = Vector.multiplyAdd(b0, xHigh, load(y0, p &+ width))
            a1 = Vector.multiplyAdd(a1, xLow, load(y1, p)); b1 = Vector.multiplyAdd(b1, xHigh, load(y1, p &+ width))
            a2 = Vector.multiplyAdd(a2, xLow, load(y2, p)); b2 = Vector.multiplyAdd(b2, xHigh, load(y2, p &+ width))
            a3 = Vector.multiplyAdd(a3, xLow, load(y3, p)); b3 = Vector.multiplyAdd(b3, xHigh, load(y3, p &+ width))
            p &+= 2 &* width
        }
        var s0 = Vector.add(a0, b0).sum(), s1 = Vector.add(a1, b1).sum()
        var s2 = Vector.add(a2, b2).sum(), s3 = Vector.add(a3, b3).sum()
        while p < k {
            let xp = x[p]
            s0 += xp * y0[p]; s1 += xp * y1[p]; s2 += xp * y2[p]; s3 += xp * y3[p]
            p &+= 1
        }
        return (s0, s1, s2, s3)
    }

    /// The dot products of two rows `x0`, `x1` with the 4 rows at `y`, `y + ldb`, `y + 2 ldb`,
    /// `y + 3 ldb`: 8 accumulators fed by 6 loads per step (against 10 for two `fourDots`),
    /// so that each row of B is read once for both rows of A.
    @inline(__always)
    static func eightDots(_ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ y: UnsafePointer<Float>, ldb: Int, k: Int)
        -> ((Float, Float, Float, Float), (Float, Float, Float, Float))
    {
        let y0 = y, y1 = y + ldb, y2 = y + 2 &* ldb, y3 = y + 3 &* ldb
        let width = Vector.scalarCount
        var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
        var b0 = Vector(), b1 = Vector(), b2 = Vector(), b3 = Vector()
        var p = 0
        while p + width <= k {
            let u = load(x0, p), v = load(x1, p)
            let w0 = load(y0, p), w1 = load(y1, p), w2 = load(y2, p), w3 = load(y3, p)
            a0 = Vector.multiplyAdd(a0, u, w0); b0 = Vector.multiplyAdd(b0, v, w0)
            a1 = Vector.multiplyAdd(a1, u, w1); b1 = Vector.multiplyAdd(b1, v, w1)
            a2 = Vector.multiplyAdd(a2, u, w2); b2 = Vector.multiplyAdd(b2, v, w2)
            a3 = Vector.multiplyAdd(a3, u, w3); b3 = Vector.multiplyAdd(b3, v, w3)
            p &+= width
        }
        var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
        var t0 = b0.sum(), t1 = b1.sum(), t2 = b2.sum(), t3 = b3.sum()
        while p < k {
            let u = x0[p], v = x1[p]
            s0 += u * y0[p]; s1 += u * y1[p]; s2 += u * y2[p]; s3 += u * y3[p]
            t0 += v * y0[p]; t1 += v * y1[p]; t2 += v * y2[p]; t3 += v * y3[p]
            p &+= 1
        }
        return ((s0, s1, s2, s3), (t0, t1, t2, t3))
    }

    /// The dot product of the k floats at `x` and at `y`.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, k: Int) -> Float {
        let width = Vector.scalarCount
        var low = Vector(), high = Vector()
        var p = 0
        while p + 2 &* width <= k {
            low = Vector.multiplyAdd(low, load(x, p), load(y, p))
            high = Vector.multiplyAdd(high, load(x, p &+ width), load(y, p &+ width))
            p &+= 2 &* width
        }
        var s = Vector.add(low, high).sum()
        while p < k {
            s += x[p] * y[p]
            p &+= 1
        }
        return s
    }
}
