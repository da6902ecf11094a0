import RealModule

/// One layer of a feedforward network: a ``Dense`` layer or a ``Maxout`` layer.
///
/// Both hold a weight matrix W of shape `rows x inputSize` (row-major, as PyTorch's `Linear`)
/// and a bias of `rows` entries, with `rows = outputSize` for Dense and
/// `rows = outputSize * pieces` for Maxout. Layers are values: copying a network copies them,
/// and a trained network is `Sendable`.
///
/// The value API (``forward(_:backend:layerIndex:)`` returning output and cache,
/// ``backward(_:cache:backend:layerIndex:)`` returning parameter gradients and the input
/// gradient) serves tests, tools and one-off use; ``Network`` drives the same kernels over
/// preallocated buffers.
public enum Layer: Sendable, Equatable, CustomStringConvertible {
    /// z = W a + b, then an activation.
    case dense(Dense)
    /// The maximum over pieces of affine maps.
    case maxout(Maxout)

    /// Inputs per sample.
    public var inputSize: Int {
        switch self {
        case .dense(let d): d.inputSize
        case .maxout(let m): m.inputSize
        }
    }

    /// Outputs per sample.
    public var outputSize: Int {
        switch self {
        case .dense(let d): d.outputSize
        case .maxout(let m): m.outputSize
        }
    }

    /// Rows of W and entries of b (and columns of the pre-activation Z).
    public var parameterRows: Int {
        switch self {
        case .dense(let d): d.outputSize
        case .maxout(let m): m.outputSize * m.pieces
        }
    }

    /// The weights, `parameterRows x inputSize`.
    public var weights: Matrix {
        switch self {
        case .dense(let d): d.weights
        case .maxout(let m): m.weights
        }
    }

    /// The bias, `parameterRows` entries.
    public var bias: [Float] {
        switch self {
        case .dense(let d): d.bias
        case .maxout(let m): m.bias
        }
    }

    /// Number of trainable parameters (weights and biases).
    public var parameterCount: Int { parameterRows * (inputSize + 1) }

    /// The activation of a Dense layer; nil for Maxout (which is its own nonlinearity).
    public var activation: Activation? {
        if case .dense(let d) = self { return d.activation }
        return nil
    }

    /// Pieces per unit of a Maxout layer; nil for Dense.
    public var pieces: Int? {
        if case .maxout(let m) = self { return m.pieces }
        return nil
    }

    /// `dense` or `maxout`, as the fixtures and model metadata name the kind.
    public var kind: String {
        switch self {
        case .dense: "dense"
        case .maxout: "maxout"
        }
    }

    public var description: String {
        switch self {
        case .dense(let d): "dense(\(d.inputSize) -> \(d.outputSize), \(d.activation))"
        case .maxout(let m): "maxout(\(m.inputSize) -> \(m.outputSize), \(m.pieces) pieces)"
        }
    }

    /// This layer with new parameters of the same shapes.
    ///
    /// - Throws: ``NetworkError/parameterShape(layer:tensor:expected:got:)`` (with layer -1;
    ///   the network fills in the index) when a shape differs.
    public func replacingParameters(weights: Matrix, bias: [Float]) throws(NetworkError) -> Layer {
        switch self {
        case .dense(var d):
            try Self.checkShapes(weights: weights, bias: bias, rows: parameterRows, columns: inputSize)
            d.weights = weights; d.bias = bias
            return .dense(d)
        case .maxout(var m):
            try Self.checkShapes(weights: weights, bias: bias, rows: parameterRows, columns: inputSize)
            m.weights = weights; m.bias = bias
            return .maxout(m)
        }
    }

    static func checkShapes(weights: Matrix, bias: [Float], rows: Int, columns: Int, layer: Int = -1) throws(NetworkError) {
        guard weights.rows == rows && weights.columns == columns else {
            throw .parameterShape(layer: layer, tensor: "weight", expected: [rows, columns], got: [weights.rows, weights.columns])
        }
        guard bias.count == rows else {
            throw .parameterShape(layer: layer, tensor: "bias", expected: [rows], got: [bias.count])
        }
    }

    /// The layer's forward pass on a batch (one sample per row); see ``Dense`` and ``Maxout``.
    public func forward(_ input: Matrix, backend: any GEMMBackend, layerIndex: Int = 0) -> (output: Matrix, cache: LayerCache) {
        switch self {
        case .dense(let d): d.forward(input, backend: backend, layerIndex: layerIndex)
        case .maxout(let m): m.forward(input, backend: backend, layerIndex: layerIndex)
        }
    }

    /// The layer's backward pass: from dJ/dA (of this layer's output) to dJ/dW, dJ/db and dJ/dX.
    public func backward(_ outputGradient: Matrix, cache: LayerCache, backend: any GEMMBackend, layerIndex: Int = 0)
        -> (gradient: ParameterGradient, inputGradient: Matrix)
    {
        switch self {
        case .dense(let d): d.backward(outputGradient, cache: cache, backend: backend, layerIndex: layerIndex)
        case .maxout(let m): m.backward(outputGradient, cache: cache, backend: backend, layerIndex: layerIndex)
        }
    }
}

/// What a layer's forward pass keeps for its backward pass (Nielsen's `zs` and `activations`).
public struct LayerCache: Sendable, Equatable {
    /// The batch the layer was given, A^{l-1} (`n x inputSize`).
    public var input: Matrix
    /// The pre-activation Z = A^{l-1} W^T + 1 b^T (`n x parameterRows`).
    public var preactivation: Matrix
    /// The output A^l (`n x outputSize`).
    public var output: Matrix
    /// For Maxout: the winning piece of each output (`n x outputSize`); empty for Dense.
    public var winners: [Int32]
}

/// The gradient of a loss with respect to one layer's parameters: dJ/dW (the shape of W) and
/// dJ/db (the length of b).
public struct ParameterGradient: Sendable, Equatable {
    /// dJ/dW, `parameterRows x inputSize`.
    public var weights: Matrix
    /// dJ/db, `parameterRows` entries.
    public var bias: [Float]

    /// A gradient of the given tensors.
    public init(weights: Matrix, bias: [Float]) {
        self.weights = weights
        self.bias = bias
    }
}

// MARK: - Kernels shared by Dense and Maxout

/// Z = X W^T + 1 b^T before the bias: the one forward GEMM of a layer
/// (`n x in` times `(rows x in)^T`, so `transB = .transposed`).
func affineProduct(
    input x: UnsafePointer<Float>, rows n: Int, inputSize: Int,
    weights: Matrix, parameterRows: Int,
    into z: UnsafeMutablePointer<Float>, backend: any GEMMBackend, layer: Int
) {
    weights.withUnsafeBufferPointer { w in
        backend.gemm(transA: .none, transB: .transposed, m: n, n: parameterRows, k: inputSize, alpha: 1,
                     a: x, lda: max(1, inputSize), b: w.baseAddress, ldb: max(1, inputSize), beta: 0,
                     c: z, ldc: max(1, parameterRows), site: GEMMCallSite(layer: layer, product: "forward"))
    }
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
                 c: dW, ldc: max(1, inputSize), site: GEMMCallSite(layer: layer, product: "weight gradient"))
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
    delta d: UnsafePointer<Float>, rows n: Int, weights: Matrix, parameterRows: Int, inputSize: Int,
    into g: UnsafeMutablePointer<Float>, backend: any GEMMBackend, layer: Int
) {
    weights.withUnsafeBufferPointer { w in
        backend.gemm(transA: .none, transB: .none, m: n, n: inputSize, k: parameterRows, alpha: 1,
                     a: d, lda: max(1, parameterRows), b: w.baseAddress, ldb: max(1, inputSize), beta: 0,
                     c: g, ldc: max(1, inputSize), site: GEMMCallSite(layer: layer, product: "propagated error"))
    }
}
