import LinearAlgebra

/// The kernels of an affine map Z = X W^T + 1 b^T that ``Dense`` and ``Maxout`` share, over raw
/// buffers: W is `rows x inputSize` row-major (as PyTorch's `Linear.weight`), X `n x inputSize`.

/// Z = X W^T before the bias: the one forward GEMM of a layer
/// (`n x in` times `(rows x in)^T`, so `transB = .transposed`).
func affineProduct(
    input x: UnsafePointer<Float>, rows n: Int, inputSize: Int,
    weights w: UnsafePointer<Float>, parameterRows: Int,
    into z: UnsafeMutablePointer<Float>, backend: any GEMMBackend, layer: Int
) {
    backend.gemm(transA: .none, transB: .transposed, m: n, n: parameterRows, k: inputSize, alpha: 1,
                 a: x, lda: max(1, inputSize), b: w, ldb: max(1, inputSize), beta: 0,
                 c: z, ldc: max(1, parameterRows), site: GEMMCallSite(layer: layer, product: .forward))
}

/// dW = scale Delta^T X and db = scale (column sums of Delta): one GEMM and one pass.
func parameterGradients(
    delta d: UnsafePointer<Float>, input x: UnsafePointer<Float>, rows n: Int,
    parameterRows: Int, inputSize: Int, scale: Float,
    weightGradient dW: UnsafeMutablePointer<Float>, biasGradient db: UnsafeMutablePointer<Float>,
    backend: any GEMMBackend, layer: Int
) {
    backend.gemm(transA: .transposed, transB: .none, m: parameterRows, n: inputSize, k: n, alpha: scale,
                 a: d, lda: max(1, parameterRows), b: x, ldb: max(1, inputSize), beta: 0,
                 c: dW, ldc: max(1, inputSize), site: GEMMCallSite(layer: layer, product: .weightGradient))
    columnSums(d, rows: n, columns: parameterRows, scale: scale, into: db)
}

/// `sums[j] = scale * sum_s m[s, j]` for a row-major `rows x columns` matrix, in 16-float
/// vectors along each row (the same additions in the same order as a scalar loop over rows).
func columnSums(_ m: UnsafePointer<Float>, rows: Int, columns: Int, scale: Float, into sums: UnsafeMutablePointer<Float>) {
    typealias V = SIMD16<Float>
    sums.update(repeating: 0, count: columns)
    let raw = UnsafeMutableRawPointer(sums)
    for s in 0..<rows {
        let row = UnsafeRawPointer(m + s * columns)
        var j = 0
        while j + V.scalarCount <= columns {
            let offset = j * MemoryLayout<Float>.stride
            let sum = raw.loadUnaligned(fromByteOffset: offset, as: V.self) + row.loadUnaligned(fromByteOffset: offset, as: V.self)
            raw.storeBytes(of: sum, toByteOffset: offset, as: V.self)
            j += V.scalarCount
        }
        while j < columns {
            sums[j] += m[s * columns + j]
            j += 1
        }
    }
    for j in 0..<columns { sums[j] *= scale }
}

/// dJ/dX = Delta W (`n x rows` times `rows x in`): the error handed to the layer below.
func propagatedError(
    delta d: UnsafePointer<Float>, rows n: Int, weights w: UnsafePointer<Float>, parameterRows: Int, inputSize: Int,
    into g: UnsafeMutablePointer<Float>, backend: any GEMMBackend, layer: Int
) {
    backend.gemm(transA: .none, transB: .none, m: n, n: inputSize, k: parameterRows, alpha: 1,
                 a: d, lda: max(1, parameterRows), b: w, ldb: max(1, inputSize), beta: 0,
                 c: g, ldc: max(1, inputSize), site: GEMMCallSite(layer: layer, product: .propagatedError))
}

/// z_r = b_r + sum_c W[r, c] a_c for one sample, in `Double` (the reference forward of an affine map).
func referenceAffine(_ a: [Double], weights: [Double], bias: [Double], rows: Int) -> [Double] {
    let columns = a.count
    return (0..<rows).map { r in
        var sum = bias[r]
        for c in 0..<columns { sum += weights[r * columns + c] * a[c] }
        return sum
    }
}
