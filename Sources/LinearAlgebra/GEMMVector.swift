/// The float vector a micro-kernel accumulates in: `SIMD4`, `SIMD8` or `SIMD16` of `Float`
/// (see ``GEMMKernelKind``).
///
/// The arithmetic is spelled out as requirements so that code generic over the vector calls
/// each concrete type's own vector instructions once specialised (the `SIMD` protocol's
/// generic operators go lane by lane).
protocol GEMMVector: SIMD where Scalar == Float {
    /// x + y.
    static func add(_ x: Self, _ y: Self) -> Self
    /// x * y.
    static func multiply(_ x: Self, _ y: Self) -> Self
    /// acc + a * b: one fused `vfmadd` where the target has FMA, else a multiply and an add
    /// (`addingProduct` without FMA would be a libm `fmaf` per lane, below 1 GFLOP/s).
    static func multiplyAdd(_ acc: Self, _ a: Self, _ b: Self) -> Self
}

extension SIMD4: GEMMVector where Scalar == Float {
    @inline(__always) static func add(_ x: Self, _ y: Self) -> Self { x + y }
    @inline(__always) static func multiply(_ x: Self, _ y: Self) -> Self { x * y }
    @inline(__always) static func multiplyAdd(_ acc: Self, _ a: Self, _ b: Self) -> Self {
        GEMMKernelKind.targetHasFMA ? acc.addingProduct(a, b) : acc + a * b
    }
}

extension SIMD8: GEMMVector where Scalar == Float {
    @inline(__always) static func add(_ x: Self, _ y: Self) -> Self { x + y }
    @inline(__always) static func multiply(_ x: Self, _ y: Self) -> Self { x * y }
    @inline(__always) static func multiplyAdd(_ acc: Self, _ a: Self, _ b: Self) -> Self {
        GEMMKernelKind.targetHasFMA ? acc.addingProduct(a, b) : acc + a * b
    }
}

extension SIMD16: GEMMVector where Scalar == Float {
    @inline(__always) static func add(_ x: Self, _ y: Self) -> Self { x + y }
    @inline(__always) static func multiply(_ x: Self, _ y: Self) -> Self { x * y }
    @inline(__always) static func multiplyAdd(_ acc: Self, _ a: Self, _ b: Self) -> Self {
        GEMMKernelKind.targetHasFMA ? acc.addingProduct(a, b) : acc + a * b
    }
}
