import LinearAlgebra

/// The buffers and settings of one layer's forward or backward pass over `rows` samples (one
/// sample per row, row-major), handed to ``Layer/forward(_:)`` and ``Layer/backward(_:)``.
public struct LayerPass {
    /// Samples in the batch.
    public let rows: Int
    /// A^{l-1}, `rows x inputSize`.
    public let input: UnsafePointer<Float>
    /// A^l, `rows x outputSize`.
    public let output: UnsafeMutablePointer<Float>
    /// The layer's scratch, `rows x scratchWidth`.
    public let scratch: UnsafeMutablePointer<Float>
    /// The layer's first tensor in the parameter arena (the others follow at
    /// ``ParameterArena/aligned(_:)`` offsets). Written in a training forward pass only by
    /// layers with running statistics; never written in inference.
    public let parameters: UnsafeMutablePointer<Float>
    /// The same offset in the gradient arena, where backward writes mean gradients.
    public let gradients: UnsafeMutablePointer<Float>
    /// dC/dA^l, `rows x outputSize` (backward only; the layer may overwrite it).
    public let outputGradient: UnsafeMutablePointer<Float>
    /// Where backward writes dC/dA^{l-1}; nil for the first layer, which propagates to no one.
    public let inputGradient: UnsafeMutablePointer<Float>?
    /// Whether ``outputGradient`` already holds dC/dZ of the ``Layer/fusedActivation`` (the
    /// loss fused with it), so backward skips the activation's derivative.
    public let isFusedWithLoss: Bool
    /// Training or inference.
    public let phase: Phase
    /// Keys the random numbers of this pass (Dropout's masks): the same key, layer and sample
    /// give the same numbers whatever the thread count (see ``RandomStream``).
    public let random: RandomStream
    /// The GEMM backend.
    public let backend: any GEMMBackend
    /// The layer's index in the network, for GEMM call sites.
    public let index: Int

    /// 1/rows, the scale of a mean over the batch.
    public var meanScale: Float { 1 / Float(rows) }
}

/// What the `Double` reference forward pass of a layer needs besides its input and values.
public struct ReferenceContext: Sendable {
    /// Training or inference.
    public var phase: Phase
    /// The random numbers the compiled pass used.
    public var random: RandomStream
    /// The layer's index in the network.
    public var index: Int

    public init(phase: Phase, random: RandomStream, index: Int) {
        self.phase = phase
        self.random = random
        self.index = index
    }
}
