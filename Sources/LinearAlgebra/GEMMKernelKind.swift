import CTargetFeatures

/// Which shape of the pure-Swift GEMM micro-kernel this build compiled in, decided by the
/// compiler's own target (the `-target-cpu` of the build), never by a define or at run time.
///
/// | kind | target | vector | tile MR x NR | FMA |
/// |---|---|---|---|---|
/// | ``portable`` | baseline x86-64 (plain `swift build`), or AArch64 | `SIMD4<Float>` | 8 x 8 | AArch64 only |
/// | ``avx2`` | x86-64-v3 (`-target-cpu haswell`, Zen 1-3, ...) | `SIMD8<Float>` | 8 x 16 | yes |
/// | ``avx512`` | x86-64-v4 (`-target-cpu skylake-avx512`, Zen 4, ...) | `SIMD16<Float>` | 8 x 32 | yes |
///
/// `swift build -c release -Xswiftc -target-cpu -Xswiftc native` picks the best kind the
/// building machine has. The kind also selects ``AutoBackend``'s built-in crossover table,
/// since where OpenBLAS wins depends on which Swift kernel it competes with.
public enum GEMMKernelKind: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// 4-wide vectors without FMA on x86-64 (about 36 GFLOP/s per core on Zen 3/4).
    case portable
    /// 8-wide AVX2 vectors with FMA.
    case avx2
    /// 16-wide AVX-512 vectors with FMA.
    case avx512

    /// The kind this build compiled in (a compile-time constant).
    @inline(__always)
    public static var compiled: GEMMKernelKind {
        if swiftmlp_target_has_avx512f() != 0 { return .avx512 }
        if swiftmlp_target_has_avx2() != 0 && swiftmlp_target_has_fma() != 0 { return .avx2 }
        return .portable
    }

    /// Whether the compiled target has fused multiply-add (a compile-time constant).
    @inline(__always)
    static var targetHasFMA: Bool { swiftmlp_target_has_fma() != 0 }

    public var description: String { rawValue }
}
