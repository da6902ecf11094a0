/// One layer kind of a feedforward network: a value that declares its sizes, its tensors and
/// its scratch, and computes its forward and backward passes over buffers it is handed.
///
/// A conforming type is one file in `Layers/` (``Dense``, ``Maxout``, ...). The network's passes
/// loop over layers without knowing their kinds:
///
/// - the layer's tensors (``tensors``: name, shape, trainable or not, weight decay or not) live
///   in the network's ``ParameterArena``, one range each, and their gradients in the
///   ``Workspace``'s gradient arena at the same offsets;
/// - per sample the workspace holds the layer's output A^l (``outputSize`` floats), the
///   gradient dC/dA^l of the same width, and ``scratchWidth`` floats the layer keeps from its
///   forward pass for its backward pass (Dense: Z, Maxout: Z, winners, Delta);
/// - ``forward(_:)`` reads A^{l-1} and writes A^l; ``backward(_:)`` reads dC/dA^l (which it may
///   overwrite), writes the mean parameter gradients and, unless it is the first layer,
///   dC/dA^{l-1}. Kernels are explicit and fused; nothing allocates.
///
/// A layer value built by hand or drawn by an ``Initializer`` carries its tensors' ``values``;
/// inside a ``Network`` they move to the arena, and ``Network/layers`` hands them back.
public protocol Layer: Sendable, CustomStringConvertible {
    /// Inputs per sample.
    var inputSize: Int { get }
    /// Outputs per sample.
    var outputSize: Int { get }
    /// Kind and settings, without values: what a model file's metadata records.
    var specification: Architecture.LayerSpec { get }
    /// The tensors, in the order of the arena and of a model file.
    var tensors: [TensorDeclaration] { get }
    /// The tensors' values in the order of ``tensors``, each `count` floats row-major; empty
    /// when the layer's values live in a network's arena.
    var values: [[Float]] { get }
    /// This layer with other values for its tensors (shapes already checked), or none (`[]`).
    func replacingValues(_ values: [[Float]]) -> Self
    /// Floats per sample the forward pass keeps for the backward pass.
    var scratchWidth: Int { get }
    /// The elementwise activation this layer ends with and keeps the argument of at the start
    /// of its scratch (`outputSize` floats per sample), so a loss can fuse with it (softmax and
    /// cross-entropy give Delta = A - Y); nil when the output is no such activation.
    var fusedActivation: Activation? { get }
    /// The forward pass over `pass.rows` samples.
    func forward(_ pass: LayerPass)
    /// The backward pass, after ``forward(_:)`` on the same buffers.
    func backward(_ pass: LayerPass)
    /// The forward pass of a batch in `Double`, written independently of the kernels (no GEMM,
    /// no fusion): the reference that gradient checks differentiate numerically.
    func referenceForward(_ batch: [[Double]], values: [[Double]], context: ReferenceContext) -> [[Double]]
    /// Z and Delta after a backward pass over these buffers, for a ``BackpropagationTrace``;
    /// empty matrices for a layer that has no affine map.
    func traced(scratch: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, rows: Int) -> (preactivation: Matrix, delta: Matrix)
}

extension Layer {
    public var fusedActivation: Activation? { nil }
    public var scratchWidth: Int { 0 }
    public func traced(scratch: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, rows: Int) -> (preactivation: Matrix, delta: Matrix) {
        (Matrix(rows: rows, columns: 0), Matrix(rows: rows, columns: 0))
    }
    /// Trainable and non-trainable values in all tensors.
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.count } }
    /// The kind's name as model files and fixtures write it (`dense`, `maxout`, ...).
    public var kind: String { specification.kindName }
    public var description: String { specification.description }

    /// The tensor called `name`'s values as a matrix of its first dimension by the rest (a
    /// vector is one row); nil when the layer has no such tensor or holds no values.
    public func tensor(named name: String) -> Matrix? {
        guard let index = tensors.firstIndex(where: { $0.name == name }), values.count == tensors.count else { return nil }
        let shape = tensors[index].shape
        let rows = shape.count > 1 ? shape[0] : 1
        return Matrix(rows: rows, columns: shape.count > 1 ? tensors[index].count / max(rows, 1) : tensors[index].count,
                      elements: values[index])
    }

    /// The weight matrix (`weight`), empty for a layer without one.
    public var weights: Matrix { tensor(named: "weight") ?? Matrix(rows: 0, columns: 0) }
    /// The bias (`bias`), empty for a layer without one.
    public var bias: [Float] { tensor(named: "bias")?.elements ?? [] }
}

/// One tensor a layer declares.
public struct TensorDeclaration: Sendable, Equatable {
    /// The name within the layer, as PyTorch's module names it (`weight`, `running_mean`).
    public var name: String
    /// Its shape, row-major.
    public var shape: [Int]
    /// Whether the optimizer updates it (BatchNorm's running statistics are not trained).
    public var isTrainable: Bool
    /// Whether weight decay applies (weights yes, biases and normalisation parameters no).
    public var decays: Bool

    public init(name: String, shape: [Int], isTrainable: Bool = true, decays: Bool = false) {
        self.name = name
        self.shape = shape
        self.isTrainable = isTrainable
        self.decays = decays
    }

    /// Elements.
    public var count: Int { shape.reduce(1, *) }
}

/// Whether a pass trains or infers: Dropout drops only in training, BatchNorm normalises with
/// batch statistics in training and with its running statistics in inference.
public enum Phase: Sendable, Equatable {
    case training
    case inference
}
