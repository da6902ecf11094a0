/// The batched forward and backward passes, over a ``Workspace``.
///
/// Forward, per layer: one GEMM Z^l = A^{l-1} (W^l)^T (call site "forward", `transB =
/// .transposed`), then bias and activation in one pass. Backward, as docs/DESIGN.md writes the four
/// equations for a batch of n samples (Delta holds per-sample errors; the 1/n of the mean loss
/// enters as the GEMM's alpha):
///
///     Delta^L = dC_s/dA^L (.) g'(Z^L)           (a - y when the loss is fused with g)
///     Delta^l = (Delta^{l+1} W^{l+1}) (.) g'(Z^l)   GEMM "propagated error", then one fused pass
///     dC/dW^l = (Delta^l)^T A^{l-1} / n         GEMM "weight gradient"
///     dC/db^l = column sums of Delta^l / n
///
/// so three GEMMs per layer per step (two for layer 0, which propagates to no one), each
/// labelled with ``GEMMCallSite`` so a ``CheckingBackend`` can trace disagreements.
extension Network {
    /// The forward pass on the first `rows` rows of the workspace's batch, in `phase`.
    ///
    /// In training, layers with running statistics (BatchNorm) update them in the arena, so
    /// this is mutating; inference writes nothing but the workspace.
    mutating func forward(_ workspace: Workspace, rows n: Int, backend: any GEMMBackend, phase: Phase, random: RandomStream) {
        let kinds = self.kinds, offsets = arena.layerOffsets, standardizer = self.standardizer
        arena.values.withUnsafeMutableBufferPointer { values in
            Self.forward(kinds, standardizer: standardizer, offsets: offsets, parameters: values.baseAddress, workspace,
                         rows: n, backend: backend, phase: phase, random: random)
        }
    }

    /// The forward pass in inference (see ``forward(_:rows:backend:phase:random:)``).
    func infer(_ workspace: Workspace, rows n: Int, backend: any GEMMBackend) {
        arena.values.withUnsafeBufferPointer { values in
            Self.forward(kinds, standardizer: standardizer, offsets: arena.layerOffsets,
                         parameters: values.baseAddress.map { UnsafeMutablePointer(mutating: $0) },
                         workspace, rows: n, backend: backend, phase: .inference, random: RandomStream(seed: 0))
        }
    }

    private static func forward(_ kinds: [any Layer], standardizer: Standardizer?, offsets: [Int], parameters: UnsafeMutablePointer<Float>?,
                                _ workspace: Workspace, rows n: Int, backend: any GEMMBackend, phase: Phase, random: RandomStream) {
        workspace.threads = backend.threads
        workspace.prepareBatchInputs(standardizer, rows: n)
        // An arena with no tensors has no storage; no layer then reads its pointer.
        let parameters = parameters ?? workspace.gradients.baseAddress!
        for l in kinds.indices {
            kinds[l].forward(pass(workspace, layer: l, rows: n, parameters: parameters + offsets[l], offset: offsets[l],
                                  fused: false, phase: phase, random: random, backend: backend))
        }
    }

    /// The pass description of layer `l` over the workspace's buffers.
    @inline(__always)
    private static func pass(_ workspace: Workspace, layer l: Int, rows n: Int, parameters: UnsafeMutablePointer<Float>, offset: Int,
                             fused: Bool, phase: Phase, random: RandomStream, backend: any GEMMBackend) -> LayerPass {
        LayerPass(rows: n, input: l == 0 ? workspace.batchInputs : UnsafePointer(workspace.outputs[l - 1]),
                  output: workspace.outputs[l], scratch: workspace.scratch[l], parameters: parameters,
                  gradients: workspace.gradients.baseAddress! + offset, outputGradient: workspace.outputGradients[l],
                  inputGradient: l == 0 ? nil : workspace.outputGradients[l - 1], isFusedWithLoss: fused,
                  phase: phase, random: random, backend: backend, index: l)
    }

    /// Where the loss reads the output layer: its fused activation and that activation's
    /// argument (the start of the layer's scratch), or identity on the output itself.
    private func lossOperands(_ workspace: Workspace) -> (activation: Activation, preactivation: UnsafePointer<Float>) {
        let last = kinds.count - 1
        if let activation = kinds[last].fusedActivation { return (activation, UnsafePointer(workspace.scratch[last])) }
        return (.identity, UnsafePointer(workspace.outputs[last]))
    }

    /// Runs the backward pass after a training forward pass, against the first `rows` rows of
    /// `workspace.targets`, leaving the mean gradients in the workspace's gradient arena.
    ///
    /// The loss writes its error into the output layer's gradient buffer, fused with the layer's
    /// activation when it has one (Delta^L = A^L - Y for softmax and cross-entropy); then each
    /// layer, from the output down, turns dC/dA^l into its parameter gradients and dC/dA^{l-1},
    /// and `finished(l)` is called as soon as layer l's gradients are complete (where a
    /// ``GradientExchange`` starts sending them).
    func backward(_ workspace: Workspace, rows n: Int, backend: any GEMMBackend, random: RandomStream,
                  finished: (Int) -> Void = { _ in }) {
        let last = kinds.count - 1
        let (activation, z) = lossOperands(workspace)
        loss.outputError(preactivation: z, output: workspace.outputs[last], target: workspace.targets, rows: n,
                         columns: outputSize, activation: activation, into: workspace.outputGradients[last])
        let fused = kinds[last].fusedActivation != nil
        arena.values.withUnsafeBufferPointer { values in
            let parameters = values.baseAddress.map { UnsafeMutablePointer(mutating: $0) } ?? workspace.gradients.baseAddress!
            for l in stride(from: last, through: 0, by: -1) {
                let offset = arena.layerOffsets[l]
                kinds[l].backward(Self.pass(workspace, layer: l, rows: n, parameters: parameters + offset, offset: offset,
                                            fused: fused && l == last, phase: .training, random: random, backend: backend))
                finished(l)
            }
        }
    }

    /// The summed (not averaged) loss of the batch in the workspace after a forward pass.
    func lossSum(_ workspace: Workspace, rows n: Int) -> Double {
        let (activation, z) = lossOperands(workspace)
        return loss.sum(preactivation: z, output: workspace.outputs[kinds.count - 1],
                        target: workspace.targets, rows: n, columns: outputSize, activation: activation)
    }

    /// Samples of the batch in the workspace whose output is right: the largest output is the
    /// target's largest entry (several outputs), or output and target fall on the same side of
    /// 0.5 (one output).
    func correctCount(_ workspace: Workspace, rows n: Int) -> Int {
        let width = outputSize
        let a = workspace.outputs[kinds.count - 1], y = workspace.targets
        var correct = 0
        for s in 0..<n {
            let row = a + s * width, target = y + s * width
            if width == 1 {
                if (row[0] >= 0.5) == (target[0] >= 0.5) { correct += 1 }
            } else {
                var best = 0, bestTarget = 0
                for j in 1..<width {
                    if row[j] > row[best] { best = j }
                    if target[j] > target[bestTarget] { bestTarget = j }
                }
                if best == bestTarget { correct += 1 }
            }
        }
        return correct
    }

    // MARK: Public entry points

    /// The mean loss C over the batch.
    public func loss(inputs: Matrix, targets: Matrix, backend: any GEMMBackend) throws(NetworkError) -> Float {
        try backpropagationTrace(inputs: inputs, targets: targets, backend: backend).loss
    }

    /// The gradient of the mean loss over the batch with respect to every layer's parameters.
    public func gradients(inputs: Matrix, targets: Matrix, backend: any GEMMBackend) throws(NetworkError) -> [ParameterGradient] {
        try backpropagationTrace(inputs: inputs, targets: targets, backend: backend).layers.map(\.gradient)
    }

    /// One forward and backward pass in training over the whole batch with `backend`,
    /// returning every intermediate per layer (Z, A, Delta, the gradients) without changing the
    /// network: what `mlp train --verify` compares between two backends, layer by layer and
    /// equation by equation. `random` keys Dropout's masks.
    public func backpropagationTrace(inputs: Matrix, targets: Matrix, backend: any GEMMBackend,
                                     random: RandomStream = RandomStream(seed: 0, step: 1)) throws(NetworkError) -> BackpropagationTrace {
        try checkBatch(inputs: inputs, targets: targets)
        let n = inputs.rows
        guard n > 0 else { throw .dataShape(what: "batch rows", expected: 1, got: 0) }
        let workspace = Workspace(for: self, capacity: n)
        var copy = self  // a training pass updates running statistics; this network stays as it is
        let loss = workspace.withBatch(inputs, targets) {
            copy.forward(workspace, rows: n, backend: backend, phase: .training, random: random)
            let loss = Float(copy.lossSum(workspace, rows: n) / Double(n))
            copy.backward(workspace, rows: n, backend: backend, random: random)
            return loss
        }
        let traces = kinds.indices.map { l in
            let layer = kinds[l]
            let (preactivation, delta) = layer.traced(scratch: workspace.scratch[l], outputGradient: workspace.outputGradients[l], rows: n)
            let gradients = arena.layerEntries[l].map { index in
                let range = arena.entries[index].range
                return Array(workspace.gradients[range])
            }
            let names = layer.tensors.map(\.name)
            let weightIndex = names.firstIndex(of: "weight"), biasIndex = names.firstIndex(of: "bias")
            let weightShape = weightIndex.map { layer.tensors[$0].shape } ?? [0, 0]
            return LayerTrace(
                preactivation: preactivation,
                output: Workspace.matrix(workspace.outputs[l], rows: n, columns: layer.outputSize),
                delta: delta,
                gradient: ParameterGradient(
                    weights: Matrix(rows: weightShape[0], columns: weightShape.count > 1 ? weightShape[1] : 1,
                                    elements: weightIndex.map { gradients[$0] } ?? []),
                    bias: biasIndex.map { gradients[$0] } ?? []),
                tensorGradients: gradients)
        }
        return BackpropagationTrace(loss: loss, layers: traces)
    }
}

/// Everything one backpropagation step computed, layer by layer (see
/// ``Network/backpropagationTrace(inputs:targets:backend:random:)``).
public struct BackpropagationTrace: Sendable, Equatable {
    /// The mean loss over the batch before the step.
    public var loss: Float
    /// Per layer, input side first.
    public var layers: [LayerTrace]
    /// The network's output A^L.
    public var output: Matrix { layers[layers.count - 1].output }
}

/// One layer's part of a ``BackpropagationTrace``.
public struct LayerTrace: Sendable, Equatable {
    /// Z^l = A^{l-1} (W^l)^T + 1 (b^l)^T, `n x rows of W` (empty for layers without one).
    public var preactivation: Matrix
    /// A^l, `n x outputSize`.
    public var output: Matrix
    /// Delta^l, the per-sample error dC_s/dZ^l, `n x rows of W` (empty for layers without one).
    public var delta: Matrix
    /// dC/dW^l = (Delta^l)^T A^{l-1} / n and dC/db^l = column sums of Delta^l / n (empty for a
    /// layer without a weight and a bias).
    public var gradient: ParameterGradient
    /// The mean gradient of every tensor of the layer, in declared order (zero for the
    /// tensors that are not trained).
    public var tensorGradients: [[Float]]
}

/// The gradient of a loss with respect to one layer's weight and bias.
public struct ParameterGradient: Sendable, Equatable {
    /// dJ/dW, the shape of W.
    public var weights: Matrix
    /// dJ/db, the length of b.
    public var bias: [Float]

    /// A gradient of the given tensors.
    public init(weights: Matrix, bias: [Float]) {
        self.weights = weights
        self.bias = bias
    }
}

extension BackpropagationTrace {
    /// How far this trace is from `reference`, layer by layer and equation by equation, each as
    /// LinearAlgebra's `maxRelativeDifference(_:_:)` (normwise, against the reference): the check behind
    /// `mlp train --verify` when two backends run the same step.
    ///
    /// - Precondition: both traces come from the same network and batch.
    public func differences(from reference: BackpropagationTrace) -> [LayerTraceDifference] {
        precondition(layers.count == reference.layers.count, "BackpropagationTrace: \(layers.count) layers vs \(reference.layers.count)")
        return zip(layers, reference.layers).map { mine, theirs in
            LayerTraceDifference(
                preactivation: maxRelativeDifference(mine.preactivation, theirs.preactivation),
                output: maxRelativeDifference(mine.output, theirs.output),
                delta: maxRelativeDifference(mine.delta, theirs.delta),
                weightGradient: maxRelativeDifference(mine.gradient.weights, theirs.gradient.weights),
                biasGradient: maxRelativeDifference(
                    Matrix(rows: 1, columns: mine.gradient.bias.count, elements: mine.gradient.bias),
                    Matrix(rows: 1, columns: theirs.gradient.bias.count, elements: theirs.gradient.bias)))
        }
    }
}

/// Normwise relative differences of one layer's quantities between two traces.
public struct LayerTraceDifference: Sendable, Equatable {
    /// Of Z^l (forward GEMM plus bias).
    public var preactivation: Double
    /// Of A^l.
    public var output: Double
    /// Of Delta^l (propagated-error GEMM plus derivative).
    public var delta: Double
    /// Of dC/dW^l (weight-gradient GEMM).
    public var weightGradient: Double
    /// Of dC/db^l.
    public var biasGradient: Double
    /// The largest of the five.
    public var worst: Double { [preactivation, output, delta, weightGradient, biasGradient].max()! }
}
