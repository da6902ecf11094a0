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
/// dJ/dW = Delta^T X / n, dJ/db = column sums of Delta / n and dJ/dX = Delta W, as for ``Dense``.
///
/// Scratch, for a pass over n samples: Z (`n x rows`), the winners (`n x outputSize`, piece
/// indices held as floats) and Delta (`n x rows`), one block after the other.
public struct Maxout: Layer, Equatable {
    /// Inputs per sample.
    public let inputSize: Int
    /// Output units per sample.
    public let outputSize: Int
    /// Affine pieces per unit (k).
    public let pieces: Int
    public let values: [[Float]]

    /// A layer with all weights and biases zero.
    ///
    /// - Precondition: all sizes at least 1.
    public init(inputSize: Int, outputSize: Int, pieces: Int) {
        precondition(inputSize >= 1 && outputSize >= 1 && pieces >= 1,
                     "Maxout: sizes must be at least 1, got \(inputSize) -> \(outputSize) x \(pieces) pieces")
        let rows = outputSize * pieces
        self.init(inputSize: inputSize, outputSize: outputSize, pieces: pieces,
                  values: [[Float](repeating: 0, count: rows * inputSize), [Float](repeating: 0, count: rows)])
    }

    /// A layer for ``LayerBuilder``: `outputSize` units of `pieces` pieces, its input size the previous layer's.
    public init(_ outputSize: Int, pieces: Int) {
        self.init(inputSize: 0, outputSize: outputSize, pieces: pieces, values: [])
    }

    private init(inputSize: Int, outputSize: Int, pieces: Int, values: [[Float]]) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.pieces = pieces
        self.values = values
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
        guard bias.count == weights.rows else {
            throw .parameterShape(layer: -1, tensor: "bias", expected: [weights.rows], got: [bias.count])
        }
        self.init(inputSize: weights.columns, outputSize: weights.rows / pieces, pieces: pieces, values: [weights.elements, bias])
    }

    /// A layer drawn from `initializer` (fanOut = outputSize * pieces) and `biasInitializer`.
    public init(inputSize: Int, outputSize: Int, pieces: Int,
                initializer: Initializer, biasInitializer: BiasInitializer = .zero,
                generator: inout SeededGenerator) {
        precondition(inputSize >= 1 && outputSize >= 1 && pieces >= 1,
                     "Maxout: sizes must be at least 1, got \(inputSize) -> \(outputSize) x \(pieces) pieces")
        let rows = outputSize * pieces
        let weights = initializer.weights(count: rows * inputSize, fanIn: inputSize, fanOut: rows, using: &generator)
        let bias = biasInitializer.biases(count: rows, using: &generator)
        self.init(inputSize: inputSize, outputSize: outputSize, pieces: pieces, values: [weights, bias])
    }

    public var specification: Architecture.LayerSpec {
        .init(kind: .maxout(pieces: pieces), inputSize: inputSize, outputSize: outputSize)
    }

    public var tensors: [TensorDeclaration] {
        [TensorDeclaration(name: "weight", shape: [outputSize * pieces, inputSize], decays: true),
         TensorDeclaration(name: "bias", shape: [outputSize * pieces])]
    }

    public func replacingValues(_ values: [[Float]]) -> Maxout {
        Maxout(inputSize: inputSize, outputSize: outputSize, pieces: pieces, values: values)
    }

    /// Rows of W.
    private var rowsOfW: Int { outputSize * pieces }
    public var scratchWidth: Int { 2 * rowsOfW + outputSize }
    private var biasOffset: Int { ParameterArena.aligned(rowsOfW * inputSize) }

    /// Z = X W^T (one GEMM); then in one pass Z += b, A = max over pieces, winners recorded.
    public func forward(_ pass: LayerPass) {
        let n = pass.rows, k = pieces, rowsOfW = rowsOfW
        let z = pass.scratch, winners = pass.scratch + n * rowsOfW, a = pass.output
        let b = UnsafePointer(pass.parameters + biasOffset)
        affineProduct(input: pass.input, rows: n, inputSize: inputSize, weights: pass.parameters, parameterRows: rowsOfW,
                      into: z, backend: pass.backend, layer: pass.index)
        for s in 0..<n {
            let zs = z + s * rowsOfW
            for u in 0..<outputSize {
                var best = zs[u * k] + b[u * k]
                zs[u * k] = best
                var winner = 0
                for j in 1..<max(k, 1) {
                    let v = zs[u * k + j] + b[u * k + j]
                    zs[u * k + j] = v
                    if v > best { best = v; winner = j }  // strict: ties keep the lowest j
                }
                a[s * outputSize + u] = best
                winners[s * outputSize + u] = Float(winner)
            }
        }
    }

    /// Delta from G = dJ/dA (zero except at each unit's winning piece), then the gradients and
    /// dJ/dX as for ``Dense``.
    public func backward(_ pass: LayerPass) {
        let n = pass.rows, rowsOfW = rowsOfW
        let winners = pass.scratch + n * rowsOfW, delta = pass.scratch + n * (rowsOfW + outputSize)
        let g = pass.outputGradient
        delta.update(repeating: 0, count: n * rowsOfW)
        for s in 0..<n {
            for u in 0..<outputSize {
                delta[s * rowsOfW + u * pieces + Int(winners[s * outputSize + u])] = g[s * outputSize + u]
            }
        }
        parameterGradients(delta: delta, input: pass.input, rows: n, parameterRows: rowsOfW, inputSize: inputSize,
                           scale: pass.meanScale, weightGradient: pass.gradients, biasGradient: pass.gradients + biasOffset,
                           backend: pass.backend, layer: pass.index)
        if let inputGradient = pass.inputGradient {
            propagatedError(delta: delta, rows: n, weights: pass.parameters, parameterRows: rowsOfW, inputSize: inputSize,
                            into: inputGradient, backend: pass.backend, layer: pass.index)
        }
    }

    public func traced(scratch: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, rows: Int) -> (preactivation: Matrix, delta: Matrix) {
        (Workspace.matrix(scratch, rows: rows, columns: rowsOfW),
         Workspace.matrix(scratch + rows * (rowsOfW + outputSize), rows: rows, columns: rowsOfW))
    }

    public func referenceForward(_ batch: [[Double]], values: [[Double]], context: ReferenceContext) -> [[Double]] {
        batch.map { a in
            let z = referenceAffine(a, weights: values[0], bias: values[1], rows: rowsOfW)
            return (0..<outputSize).map { u in z[(u * pieces)..<((u + 1) * pieces)].max()! }
        }
    }
}

extension Layer where Self == Maxout {
    /// A Maxout layer in a `[Layer]` literal: `.maxout(Maxout(...))`.
    public static func maxout(_ layer: Maxout) -> Maxout { layer }
}
