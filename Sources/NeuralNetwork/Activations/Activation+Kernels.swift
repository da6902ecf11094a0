import LinearAlgebra

/// Batched, vectorised forms of the elementwise passes for the activations that dominate in
/// practice (ReLU here), computing exactly the values of the scalar formulas in ``Activation``.
///
/// Rows are `columns` floats apart; each row is walked in 16-float vectors (one AVX-512
/// register, four SSE registers in a portable build) and a scalar tail. From
/// ``parallelElements`` elements on, a pass is split into contiguous chunks over the
/// backend's threads (``ParallelLoop``, the threads of the GEMMs around it).
extension Activation {
    /// The smallest pass (elements) worth splitting over threads: 2^14 floats take a few
    /// microseconds on one core, about what handing half of them to another costs.
    static let parallelElements = 1 << 14

    /// ``reluAddBias(_:output:bias:rows:columns:)`` split by rows over `threads`.
    static func reluAddBias(
        _ z: UnsafeMutablePointer<Float>, output a: UnsafeMutablePointer<Float>, bias b: UnsafePointer<Float>,
        rows: Int, columns: Int, threads: Int
    ) {
        var pass = AddBiasPass(z: z, a: a, b: b, columns: columns)
        let threads = rows * columns >= parallelElements ? threads : 1
        withUnsafePointer(to: &pass) { pass in
            ParallelLoop.run(count: rows, threads: threads, context: UnsafeRawPointer(pass)) { pass, start, end in
                let p = pass.assumingMemoryBound(to: AddBiasPass.self).pointee
                let offset = start * p.columns
                Activation.reluAddBias(p.z + offset, output: p.a + offset, bias: p.b, rows: end - start, columns: p.columns)
            }
        }
    }

    /// The pass after the forward GEMM for softmax: Z += 1 b^T, then each row of A is the
    /// softmax of that row of Z (``softmax(_:count:)``), the rows split over `threads` from
    /// 2^11 elements on (an exponential per element makes them dearer than ReLU's).
    static func softmaxAddBias(
        _ z: UnsafeMutablePointer<Float>, output a: UnsafeMutablePointer<Float>, bias b: UnsafePointer<Float>,
        rows: Int, columns: Int, threads: Int
    ) {
        var pass = AddBiasPass(z: z, a: a, b: b, columns: columns)
        let threads = rows * columns >= 1 << 11 ? threads : 1
        withUnsafePointer(to: &pass) { pass in
            ParallelLoop.run(count: rows, threads: threads, context: UnsafeRawPointer(pass)) { pass, start, end in
                let p = pass.assumingMemoryBound(to: AddBiasPass.self).pointee
                for s in start..<end {
                    let zs = p.z + s * p.columns, row = p.a + s * p.columns
                    for j in 0..<p.columns {
                        zs[j] += p.b[j]
                        row[j] = zs[j]
                    }
                    Activation.softmax(row, count: p.columns)
                }
            }
        }
    }

    /// ``reluBackpropagate(_:preactivation:count:)`` split over `threads`.
    static func reluBackpropagate(_ delta: UnsafeMutablePointer<Float>, preactivation z: UnsafePointer<Float>, count: Int, threads: Int) {
        var pass = ReluBackpropagatePass(delta: delta, z: z)
        let threads = count >= parallelElements ? threads : 1
        withUnsafePointer(to: &pass) { pass in
            ParallelLoop.run(count: count, threads: threads, context: UnsafeRawPointer(pass)) { pass, start, end in
                let p = pass.assumingMemoryBound(to: ReluBackpropagatePass.self).pointee
                Activation.reluBackpropagate(p.delta + start, preactivation: p.z + start, count: end - start)
            }
        }
    }

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

/// The operands of a threaded ``Activation/reluAddBias(_:output:bias:rows:columns:threads:)``
/// or ``Activation/softmaxAddBias(_:output:bias:rows:columns:threads:)``.
private struct AddBiasPass {
    let z: UnsafeMutablePointer<Float>
    let a: UnsafeMutablePointer<Float>
    let b: UnsafePointer<Float>
    let columns: Int
}

/// The operands of a threaded ``Activation/reluBackpropagate(_:preactivation:count:threads:)``.
private struct ReluBackpropagatePass {
    let delta: UnsafeMutablePointer<Float>
    let z: UnsafePointer<Float>
}
