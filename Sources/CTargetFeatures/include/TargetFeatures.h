// The CPU features the compiler is generating code for, as Swift-callable constants.
//
// Swift has no `#if` on target features, but the Clang importer compiles this header with the
// same target as the Swift code that imports it: `-Xswiftc -target-cpu -Xswiftc native` (or
// `haswell`, ...) defines `__AVX2__`, `__FMA__`, `__AVX512F__` here exactly when the Swift code
// may use those instructions. Each function is `static inline` and returns a constant, so a Swift
// branch on it is folded away at compile time.
#ifndef SWIFTMLP_TARGET_FEATURES_H
#define SWIFTMLP_TARGET_FEATURES_H

/// 1 when the target has AVX-512 Foundation (32 registers of 512 bits), else 0.
static inline int swiftmlp_target_has_avx512f(void) {
#if defined(__AVX512F__)
    return 1;
#else
    return 0;
#endif
}

/// 1 when the target has AVX2 (16 registers of 256 bits with integer and shuffle operations), else 0.
static inline int swiftmlp_target_has_avx2(void) {
#if defined(__AVX2__)
    return 1;
#else
    return 0;
#endif
}

/// 1 when the target has fused multiply-add on floating-point vectors (x86 FMA3, or AArch64), else 0.
static inline int swiftmlp_target_has_fma(void) {
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
    return 1;
#else
    return 0;
#endif
}

#endif
