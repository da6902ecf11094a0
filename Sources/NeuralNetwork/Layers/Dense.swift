/// A fully connected layer: z = W a + b, output g(z).
///
/// For a batch with one sample per row, X (`n x inputSize`):
///
///     Z = X W^T + 1 b^T        A = g(Z)
///
/// W (`weight`) is stored `[outputSize, inputSize]` row-major, exactly as PyTorch's
/// `nn.Linear.weight`, and b (`bias`) has `outputSize` entries. Backward, from G = dJ/dA:
///
///     Delta = G (.) g'(Z)      dJ/dW = Delta^T X / n      dJ/db = column sums of Delta / n
///     dJ/dX = Delta W
///
/// (for softmax the elementwise product is the Jacobian-vector product, see ``Activation``).
/// The scratch holds Z; the bias and the activation are applied in one pass after the GEMM,
/// and at the output the loss's derivative and g' are fused (A - Y for softmax and
/// cross-entropy).
public struct Dense: Layer, Equatable {
    /// Inputs per sample (columns of W).
    public let inputSize: Int
    /// Units, i.e. outputs per sample (rows of W).
    public let outputSize: Int
    /// The elementwise (or, at the output, softmax) activation g.
    public var activation: Activation
    public let values: [[Float]]

    /// A layer with all weights and biases zero.
    ///
    /// - Precondition: both sizes at least 1.
    public init(inputSize: Int, outputSize: Int, activation: Activation) {
        precondition(inputSize >= 1 && outputSize >= 1, "Dense: sizes must be at least 1, got \(inputSize) -> \(outputSize)")
        self.init(inputSize: inputSize, outputSize: outputSize, activation: activation,
                  values: [[Float](repeating: 0, count: outputSize * inputSize), [Float](repeating: 0, count: outputSize)])
    }

    /// A layer for ``LayerBuilder``: `outputSize` units, its input size the previous layer's.
    public init(_ outputSize: Int, _ activation: Activation = .identity) {
        self.init(inputSize: 0, outputSize: outputSize, activation: activation, values: [])
    }

    private init(inputSize: Int, outputSize: Int, activation: Activation, values: [[Float]]) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.activation = activation
        self.values = values
    }

    /// A layer with the given parameters; the sizes are read from `weights`.
    ///
    /// - Throws: ``NetworkError`` when W is empty or b's length is not W's row count.
    public init(weights: Matrix, bias: [Float], activation: Activation) throws(NetworkError) {
        guard weights.rows >= 1 else { throw .invalidSize("output size", weights.rows) }
        guard weights.columns >= 1 else { throw .invalidSize("input size", weights.columns) }
        guard bias.count == weights.rows else {
            throw .parameterShape(layer: -1, tensor: "bias", expected: [weights.rows], got: [bias.count])
        }
        self.init(inputSize: weights.columns, outputSize: weights.rows, activation: activation,
                  values: [weights.elements, bias])
    }

    /// A layer drawn from `initializer` and `biasInitializer` (weights first, then biases).
    public init(inputSize: Int, outputSize: Int, activation: Activation,
                initializer: Initializer, biasInitializer: BiasInitializer = .zero,
                generator: inout SeededGenerator) {
        precondition(inputSize >= 1 && outputSize >= 1, "Dense: sizes must be at least 1, got \(inputSize) -> \(outputSize)")
        let weights = initializer.weights(count: outputSize * inputSize, fanIn: inputSize, fanOut: outputSize, using: &generator)
        let bias = biasInitializer.biases(count: outputSize, using: &generator)
        self.init(inputSize: inputSize, outputSize: outputSize, activation: activation, values: [weights, bias])
    }

    public var specification: Architecture.LayerSpec {
        .init(kind: .dense(activation), inputSize: inputSize, outputSize: outputSize)
    }

    public var tensors: [TensorDeclaration] {
        [TensorDeclaration(name: "weight", shape: [outputSize, inputSize], decays: true),
         TensorDeclaration(name: "bias", shape: [outputSize])]
    }

    public func replacingValues(_ values: [[Float]]) -> Dense {
        Dense(inputSize: inputSize, outputSize: outputSize, activation: activation, values: values)
    }

    /// Z, `outputSize` per sample.
    public var scratchWidth: Int { outputSize }
    public var fusedActivation: Activation? { activation }

    /// Offset of b after W in the arena.
    private var biasOffset: Int { ParameterArena.aligned(outputSize * inputSize) }

    /// Z = X W^T (one GEMM), then, in one pass, Z += b and A = g(Z).
    public func forward(_ pass: LayerPass) {
        let n = pass.rows, z = pass.scratch, a = pass.output, b = UnsafePointer(pass.parameters + biasOffset)
        affineProduct(input: pass.input, rows: n, inputSize: inputSize, weights: pass.parameters, parameterRows: outputSize,
                      into: z, backend: pass.backend, layer: pass.index)
        let columns = outputSize
        if activation == .relu {
            Activation.reluAddBias(z, output: a, bias: b, rows: n, columns: columns, threads: pass.backend.threads)
        } else if activation == .softmax {
            Activation.softmaxAddBias(z, output: a, bias: b, rows: n, columns: columns, threads: pass.backend.threads)
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

    /// Delta = G (.) g'(Z) in place (skipped when the loss is fused with g), then
    /// dJ/dW = Delta^T X / n, dJ/db = column sums of Delta / n and dJ/dX = Delta W.
    public func backward(_ pass: LayerPass) {
        let n = pass.rows, delta = pass.outputGradient
        if !pass.isFusedWithLoss {
            activation.backpropagate(delta, preactivation: pass.scratch, output: pass.output, rows: n, columns: outputSize,
                                     threads: pass.backend.threads)
        }
        parameterGradients(delta: delta, input: pass.input, rows: n, parameterRows: outputSize, inputSize: inputSize,
                           scale: pass.meanScale, weightGradient: pass.gradients, biasGradient: pass.gradients + biasOffset,
                           backend: pass.backend, layer: pass.index)
        if let inputGradient = pass.inputGradient {
            propagatedError(delta: delta, rows: n, weights: pass.parameters, parameterRows: outputSize, inputSize: inputSize,
                            into: inputGradient, backend: pass.backend, layer: pass.index)
        }
    }

    public func traced(scratch: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, rows: Int) -> (preactivation: Matrix, delta: Matrix) {
        (Workspace.matrix(scratch, rows: rows, columns: outputSize), Workspace.matrix(outputGradient, rows: rows, columns: outputSize))
    }

    public func referenceForward(_ batch: [[Double]], values: [[Double]], context: ReferenceContext) -> [[Double]] {
        batch.map { a in
            let z = referenceAffine(a, weights: values[0], bias: values[1], rows: outputSize)
            return activation == .softmax ? Activation.softmax(z) : z.map { activation.value($0) }
        }
    }
}

extension Layer where Self == Dense {
    /// A Dense layer in a `[Layer]` literal: `.dense(Dense(...))`.
    public static func dense(_ layer: Dense) -> Dense { layer }
}
