import RealModule

/// A Maxout layer (Goodfellow et al. 2013): each output unit is the largest of `pieces`
/// affine maps of the input.
///
///     z_{u,j} = w_{u,j} . x + b_{u,j}        a_u = max_j z_{u,j}
///
/// The weights are stored as one matrix W of shape `[outputSize * pieces, inputSize]` and the
/// bias as `outputSize * pieces` entries, **unit-major**: row `u * pieces + j` is piece j of
/// unit u (the layout a saved model uses). For a batch, Z = X W^T + 1 b^T is one GEMM and
/// A takes the maximum over each group of `pieces` adjacent columns.
///
/// Backward, from G = dJ/dA: the whole gradient of a_u goes to its winning piece (ties go to
/// the lowest j), so Delta is zero except Delta_{s, u*pieces + winner} = G_{s,u}; then
/// dJ/dW = Delta^T X, dJ/db = column sums of Delta and dJ/dX = Delta W, as for ``Dense``.
public struct Maxout: Sendable, Equatable {
    /// Inputs per sample.
    public let inputSize: Int
    /// Output units per sample.
    public let outputSize: Int
    /// Affine pieces per unit (k).
    public let pieces: Int
    /// W, `(outputSize * pieces) x inputSize`, unit-major rows.
    public internal(set) var weights: Matrix
    /// b, `outputSize * pieces` entries, unit-major.
    public internal(set) var bias: [Float]

    /// A layer with all weights and biases zero.
    ///
    /// - Precondition: all sizes at least 1.
    public init(inputSize: Int, outputSize: Int, pieces: Int) {
        precondition(inputSize >= 1 && outputSize >= 1 && pieces >= 1,
                     "Maxout: sizes must be at least 1, got \(inputSize) -> \(outputSize) x \(pieces) pieces")
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.pieces = pieces
        self.weights = Matrix(rows: outputSize * pieces, columns: inputSize)
        self.bias = [Float](repeating: 0, count: outputSize * pieces)
    }

    /// A layer with the given parameters (unit-major rows); sizes read from `weights`.
    ///
    /// - Throws: ``NetworkError`` when the row count is not a multiple of `pieces` or b's length
    ///   is not W's row count.
    public init(weights: Matrix, bias: [Float], pieces: Int) throws(NetworkError) {
        guard pieces >= 1 else { throw .invalidSize("pieces", pieces) }
        guard weights.rows >= pieces, weights.rows % pieces == 0 else {
            let units = max(1, (weights.rows + pieces - 1) / pieces)
            throw .parameterShape(layer: -1, tensor: "weight (rows: outputs x \(pieces) pieces)",
                                  expected: [units * pieces, weights.columns], got: [weights.rows, weights.columns])
        }
        guard weights.columns >= 1 else { throw .invalidSize("input size", weights.columns) }
        try Layer.checkShapes(weights: weights, bias: bias, rows: weights.rows, columns: weights.columns)
        self.inputSize = weights.columns
        self.outputSize = weights.rows / pieces
        self.pieces = pieces
        self.weights = weights
        self.bias = bias
    }

    /// A layer drawn from `initializer` (fanOut = outputSize * pieces) and `biasInitializer`.
    public init(inputSize: Int, outputSize: Int, pieces: Int,
                initializer: Initializer, biasInitializer: BiasInitializer = .zero,
                generator: inout SeededGenerator) {
        self.init(inputSize: inputSize, outputSize: outputSize, pieces: pieces)
        let rows = outputSize * pieces
        weights = Matrix(rows: rows, columns: inputSize,
                         elements: initializer.weights(count: rows * inputSize, fanIn: inputSize,
                                                       fanOut: rows, using: &generator))
        bias = biasInitializer.biases(count: rows, using: &generator)
    }

    // MARK: Kernels over raw buffers

    /// Z = X W^T (one GEMM); then in one pass Z += b, A = max over pieces, winners recorded.
    func forward(input x: UnsafePointer<Float>, rows n: Int,
                 preactivation z: UnsafeMutablePointer<Float>, output a: UnsafeMutablePointer<Float>,
                 winners: UnsafeMutablePointer<Int32>, backend: any GEMMBackend, layer: Int) {
        let k = pieces, rowsOfW = outputSize * pieces
        affineProduct(input: x, rows: n, inputSize: inputSize, weights: weights, parameterRows: rowsOfW,
                      into: z, backend: backend, layer: layer)
        bias.withUnsafeBufferPointer { b in
            for s in 0..<n {
                let zs = z + s * rowsOfW
                for u in 0..<outputSize {
                    var best = zs[u * k] + b[u * k]
                    zs[u * k] = best
                    var winner: Int32 = 0
                    for j in 1..<max(k, 1) {
                        let v = zs[u * k + j] + b[u * k + j]
                        zs[u * k + j] = v
                        if v > best { best = v; winner = Int32(j) }  // strict: ties keep the lowest j
                    }
                    a[s * outputSize + u] = best
                    winners[s * outputSize + u] = winner
                }
            }
        }
    }

    /// Delta from G = dJ/dA: zero everywhere except the winning piece of each unit.
    func scatter(outputGradient g: UnsafePointer<Float>, winners: UnsafePointer<Int32>, rows n: Int,
                 into delta: UnsafeMutablePointer<Float>) {
        let rowsOfW = outputSize * pieces
        delta.update(repeating: 0, count: n * rowsOfW)
        for s in 0..<n {
            for u in 0..<outputSize {
                delta[s * rowsOfW + u * pieces + Int(winners[s * outputSize + u])] = g[s * outputSize + u]
            }
        }
    }

    // MARK: Value API

    /// The forward pass on a batch: A (max over pieces) and the cache (with the winners).
    public func forward(_ input: Matrix, backend: any GEMMBackend, layerIndex: Int = 0) -> (output: Matrix, cache: LayerCache) {
        precondition(input.columns == inputSize, "Maxout: input has \(input.columns) columns, layer takes \(inputSize)")
        let n = input.rows
        var z = Matrix(rows: n, columns: outputSize * pieces)
        var a = Matrix(rows: n, columns: outputSize)
        var winners = [Int32](repeating: 0, count: n * outputSize)
        input.withUnsafeBufferPointer { x in
            z.withUnsafeMutableBufferPointer { pz in
                a.withUnsafeMutableBufferPointer { pa in
                    winners.withUnsafeMutableBufferPointer { pw in
                        guard let x = x.baseAddress, n > 0 else { return }
                        forward(input: x, rows: n, preactivation: pz.baseAddress!, output: pa.baseAddress!,
                                winners: pw.baseAddress!, backend: backend, layer: layerIndex)
                    }
                }
            }
        }
        return (a, LayerCache(input: input, preactivation: z, output: a, winners: winners))
    }

    /// The backward pass from G = dJ/dA (see the type's summary).
    public func backward(_ outputGradient: Matrix, cache: LayerCache, backend: any GEMMBackend, layerIndex: Int = 0)
        -> (gradient: ParameterGradient, inputGradient: Matrix)
    {
        let n = cache.input.rows, rowsOfW = outputSize * pieces
        precondition(outputGradient.rows == n && outputGradient.columns == outputSize,
                     "Maxout: output gradient is \(outputGradient.rows)x\(outputGradient.columns), expected \(n)x\(outputSize)")
        var delta = Matrix(rows: n, columns: rowsOfW)
        var dW = Matrix(rows: rowsOfW, columns: inputSize)
        var db = [Float](repeating: 0, count: rowsOfW)
        var dX = Matrix(rows: n, columns: inputSize)
        guard n > 0 else { return (ParameterGradient(weights: dW, bias: db), dX) }
        outputGradient.withUnsafeBufferPointer { g in
            cache.winners.withUnsafeBufferPointer { w in
                delta.withUnsafeMutableBufferPointer { d in
                    scatter(outputGradient: g.baseAddress!, winners: w.baseAddress!, rows: n, into: d.baseAddress!)
                }
            }
        }
        delta.withUnsafeBufferPointer { d in
            cache.input.withUnsafeBufferPointer { x in
                dW.withUnsafeMutableBufferPointer { pW in
                    db.withUnsafeMutableBufferPointer { pb in
                        parameterGradients(delta: d.baseAddress!, input: x.baseAddress!, rows: n,
                                           parameterRows: rowsOfW, inputSize: inputSize, scale: 1,
                                           weightGradient: pW.baseAddress!, biasGradient: pb.baseAddress!,
                                           backend: backend, layer: layerIndex)
                    }
                }
            }
            dX.withUnsafeMutableBufferPointer { g in
                propagatedError(delta: d.baseAddress!, rows: n, weights: weights, parameterRows: rowsOfW,
                                inputSize: inputSize, into: g.baseAddress!, backend: backend, layer: layerIndex)
            }
        }
        return (ParameterGradient(weights: dW, bias: db), dX)
    }
}
