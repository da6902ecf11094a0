/// Batched, vectorised forms of the elementwise passes for the activations that dominate in
/// practice (ReLU here), computing exactly the values of the scalar formulas in ``Activation``.
///
/// Rows are `columns` floats apart; each row is walked in 16-float vectors (one AVX-512
/// register, four SSE registers in a portable build) and a scalar tail.
extension Activation {
    /// The fused pass after the forward GEMM for ReLU: Z += 1 b^T, then A = max(Z, 0).
    static func reluAddBias(
        _ z: UnsafeMutablePointer<Float>, output a: UnsafeMutablePointer<Float>, bias b: UnsafePointer<Float>,
        rows: Int, columns: Int
    ) {
        typealias V = SIMD16<Float>
        let width = V.scalarCount
        for s in 0..<rows {
            let zs = z + s * columns, out = a + s * columns
            var j = 0
            while j + width <= columns {
                let v = load(zs + j) + load(b + j)
                store(v, zs + j)
                // relu(z) = z if z > 0 else 0 (NaN and -0 give 0, as the scalar form).
                store(v.replacing(with: 0, where: .!(v .> 0)), out + j)
                j += width
            }
            while j < columns {
                let v = zs[j] + b[j]
                zs[j] = v
                out[j] = v > 0 ? v : 0
                j += 1
            }
        }
    }

    /// delta <- delta (.) relu'(z) in place, relu'(z) = 1 if z > 0 else 0 (a multiplication,
    /// as the scalar form, so signs of zero and NaN propagate alike).
    static func reluBackpropagate(_ delta: UnsafeMutablePointer<Float>, preactivation z: UnsafePointer<Float>, count: Int) {
        typealias V = SIMD16<Float>
        let width = V.scalarCount
        let ones = V(repeating: 1)
        var i = 0
        while i + width <= count {
            let zv = load(z + i)
            store(load(delta + i) * ones.replacing(with: 0, where: .!(zv .> 0)), delta + i)
            i += width
        }
        while i < count {
            delta[i] *= z[i] > 0 ? 1 : 0
            i += 1
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }
}
