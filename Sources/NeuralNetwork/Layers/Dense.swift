import RealModule

/// A fully connected layer: z = W a + b, output g(z).
///
/// For a batch with one sample per row, X (`n x inputSize`):
///
///     Z = X W^T + 1 b^T        A = g(Z)
///
/// W is stored `[outputSize, inputSize]` row-major, exactly as PyTorch's `nn.Linear.weight`,
/// and b has `outputSize` entries. Backward, from G = dJ/dA:
///
///     Delta = G (.) g'(Z)      dJ/dW = Delta^T X      dJ/db = column sums of Delta
///     dJ/dX = Delta W
///
/// (for softmax the elementwise product is the Jacobian-vector product, see ``Activation``).
public struct Dense: Sendable, Equatable {
    /// Inputs per sample (columns of W).
    public let inputSize: Int
    /// Units, i.e. outputs per sample (rows of W).
    public let outputSize: Int
    /// The elementwise (or, at the output, softmax) activation g.
    public var activation: Activation
    /// W, `outputSize x inputSize`.
    public internal(set) var weights: Matrix
    /// b, `outputSize` entries.
    public internal(set) var bias: [Float]

    /// A layer with all weights and biases zero.
    ///
    /// - Precondition: both sizes at least 1.
    public init(inputSize: Int, outputSize: Int, activation: Activation) {
        precondition(inputSize >= 1 && outputSize >= 1, "Dense: sizes must be at least 1, got \(inputSize) -> \(outputSize)")
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.activation = activation
        self.weights = Matrix(rows: outputSize, columns: inputSize)
        self.bias = [Float](repeating: 0, count: outputSize)
    }

    /// A layer with the given parameters; the sizes are read from `weights`.
    ///
    /// - Throws: ``NetworkError`` when W is empty or b's length is not W's row count.
    public init(weights: Matrix, bias: [Float], activation: Activation) throws(NetworkError) {
        guard weights.rows >= 1 else { throw .invalidSize("output size", weights.rows) }
        guard weights.columns >= 1 else { throw .invalidSize("input size", weights.columns) }
        try Layer.checkShapes(weights: weights, bias: bias, rows: weights.rows, columns: weights.columns)
        self.inputSize = weights.columns
        self.outputSize = weights.rows
        self.activation = activation
        self.weights = weights
        self.bias = bias
    }

    /// A layer drawn from `initializer` and `biasInitializer` (weights first, then biases).
    public init(inputSize: Int, outputSize: Int, activation: Activation,
                initializer: Initializer, biasInitializer: BiasInitializer = .zero,
                generator: inout SeededGenerator) {
        self.init(inputSize: inputSize, outputSize: outputSize, activation: activation)
        weights = Matrix(rows: outputSize, columns: inputSize,
                         elements: initializer.weights(count: outputSize * inputSize, fanIn: inputSize,
                                                       fanOut: outputSize, using: &generator))
        bias = biasInitializer.biases(count: outputSize, using: &generator)
    }

    // MARK: Kernels over raw buffers

    /// Z = X W^T (one GEMM), then, in one pass, Z += b and A = g(Z).
    func forward(input x: UnsafePointer<Float>, rows n: Int,
                 preactivation z: UnsafeMutablePointer<Float>, output a: UnsafeMutablePointer<Float>,
                 backend: any GEMMBackend, layer: Int) {
        affineProduct(input: x, rows: n, inputSize: inputSize, weights: weights, parameterRows: outputSize,
                      into: z, backend: backend, layer: layer)
        bias.withUnsafeBufferPointer { b in
            let columns = outputSize
            if activation == .relu {
                Activation.reluAddBias(z, output: a, bias: b.baseAddress!, rows: n, columns: columns, threads: backend.threads)
            } else if activation == .softmax {
                Activation.softmaxAddBias(z, output: a, bias: b.baseAddress!, rows: n, columns: columns, threads: backend.threads)
            } else {
                for s in 0..<n {
                    let zs = z + s * columns, as_ = a + s * columns
                    for j in 0..<columns {
                        let zj = zs[j] + b[j]
                        zs[j] = zj
                        as_[j] = activation.value(zj)
                    }
                }
            }
        }
    }

    // MARK: Value API

    /// The forward pass on a batch: output A = g(X W^T + 1 b^T) and the cache for ``backward(_:cache:backend:layerIndex:)``.
    ///
    /// - Precondition: `input.columns == inputSize`.
    public func forward(_ input: Matrix, backend: any GEMMBackend, layerIndex: Int = 0) -> (output: Matrix, cache: LayerCache) {
        precondition(input.columns == inputSize, "Dense: input has \(input.columns) columns, layer takes \(inputSize)")
        var z = Matrix(rows: input.rows, columns: outputSize)
        var a = Matrix(rows: input.rows, columns: outputSize)
        input.withUnsafeBufferPointer { x in
            z.withUnsafeMutableBufferPointer { pz in
                a.withUnsafeMutableBufferPointer { pa in
                    guard let x = x.baseAddress, let pz = pz.baseAddress, let pa = pa.baseAddress else { return }
                    forward(input: x, rows: input.rows, preactivation: pz, output: pa, backend: backend, layer: layerIndex)
                }
            }
        }
        return (a, LayerCache(input: input, preactivation: z, output: a, winners: []))
    }

    /// The backward pass from G = dJ/dA: Delta = G (.) g'(Z), then dJ/dW = Delta^T X,
    /// dJ/db = column sums of Delta and dJ/dX = Delta W.
    public func backward(_ outputGradient: Matrix, cache: LayerCache, backend: any GEMMBackend, layerIndex: Int = 0)
        -> (gradient: ParameterGradient, inputGradient: Matrix)
    {
        let n = cache.input.rows
        precondition(outputGradient.rows == n && outputGradient.columns == outputSize,
                     "Dense: output gradient is \(outputGradient.rows)x\(outputGradient.columns), expected \(n)x\(outputSize)")
        var delta = outputGradient
        var dW = Matrix(rows: outputSize, columns: inputSize)
        var db = [Float](repeating: 0, count: outputSize)
        var dX = Matrix(rows: n, columns: inputSize)
        guard n > 0 else { return (ParameterGradient(weights: dW, bias: db), dX) }
        delta.withUnsafeMutableBufferPointer { d in
            cache.preactivation.withUnsafeBufferPointer { z in
                cache.output.withUnsafeBufferPointer { a in
                    activation.backpropagate(d.baseAddress!, preactivation: z.baseAddress!, output: a.baseAddress!,
                                             rows: n, columns: outputSize)
                }
            }
        }
        delta.withUnsafeBufferPointer { d in
            cache.input.withUnsafeBufferPointer { x in
                dW.withUnsafeMutableBufferPointer { pW in
                    db.withUnsafeMutableBufferPointer { pb in
                        parameterGradients(delta: d.baseAddress!, input: x.baseAddress!, rows: n,
                                           parameterRows: outputSize, inputSize: inputSize, scale: 1,
                                           weightGradient: pW.baseAddress!, biasGradient: pb.baseAddress!,
                                           backend: backend, layer: layerIndex)
                    }
                }
            }
            dX.withUnsafeMutableBufferPointer { g in
                propagatedError(delta: d.baseAddress!, rows: n, weights: weights, parameterRows: outputSize,
                                inputSize: inputSize, into: g.baseAddress!, backend: backend, layer: layerIndex)
            }
        }
        return (ParameterGradient(weights: dW, bias: db), dX)
    }
}
