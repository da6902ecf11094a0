/// The batched forward and backward passes, over a ``Workspace``.
///
/// Forward, per layer: one GEMM Z^l = A^{l-1} (W^l)^T (call site "forward", `transB =
/// .transposed`), then bias and activation in one pass. Backward, as DESIGN.md writes the four
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
    /// Runs the forward pass on the first `rows` rows of `workspace.inputs`.
    func forward(_ workspace: Workspace, rows n: Int, backend: any GEMMBackend) {
        workspace.threads = backend.threads
        for (l, layer) in layers.enumerated() {
            let x = l == 0 ? workspace.batchInputs : UnsafePointer(workspace.outputs[l - 1])
            switch layer {
            case .dense(let d):
                d.forward(input: x, rows: n, preactivation: workspace.preactivations[l], output: workspace.outputs[l],
                          backend: backend, layer: l)
            case .maxout(let m):
                m.forward(input: x, rows: n, preactivation: workspace.preactivations[l], output: workspace.outputs[l],
                          winners: workspace.winners[l], backend: backend, layer: l)
            }
        }
    }

    /// Runs the backward pass after ``forward(_:rows:backend:)``, against the first `rows` rows
    /// of `workspace.targets`, leaving every Delta^l and the mean gradients in the workspace.
    func backward(_ workspace: Workspace, rows n: Int, backend: any GEMMBackend) {
        let last = layers.count - 1
        switch layers[last] {
        case .dense(let d):
            loss.outputError(preactivation: workspace.preactivations[last], output: workspace.outputs[last],
                             target: workspace.targets, rows: n, columns: d.outputSize, activation: d.activation,
                             into: workspace.deltas[last])
        case .maxout(let m):
            loss.outputError(preactivation: workspace.outputs[last], output: workspace.outputs[last],
                             target: workspace.targets, rows: n, columns: m.outputSize, activation: .identity,
                             into: workspace.outputGradients[last])
            m.scatter(outputGradient: workspace.outputGradients[last], winners: workspace.winners[last], rows: n,
                      into: workspace.deltas[last])
        }
        let scale = 1 / Float(n)
        for l in stride(from: last, through: 0, by: -1) {
            let layer = layers[l]
            let x = l == 0 ? workspace.batchInputs : UnsafePointer(workspace.outputs[l - 1])
            parameterGradients(delta: workspace.deltas[l], input: x, rows: n,
                               parameterRows: layer.parameterRows, inputSize: layer.inputSize, scale: scale,
                               weightGradient: workspace.weightGradients[l], biasGradient: workspace.biasGradients[l],
                               backend: backend, layer: l)
            guard l > 0 else { break }
            switch layers[l - 1] {
            case .dense(let below):
                propagatedError(delta: workspace.deltas[l], rows: n, weights: layer.weights,
                                parameterRows: layer.parameterRows, inputSize: layer.inputSize,
                                into: workspace.deltas[l - 1], backend: backend, layer: l)
                below.activation.backpropagate(workspace.deltas[l - 1], preactivation: workspace.preactivations[l - 1],
                                               output: workspace.outputs[l - 1], rows: n, columns: below.outputSize,
                                               threads: backend.threads)
            case .maxout(let below):
                propagatedError(delta: workspace.deltas[l], rows: n, weights: layer.weights,
                                parameterRows: layer.parameterRows, inputSize: layer.inputSize,
                                into: workspace.outputGradients[l - 1], backend: backend, layer: l)
                below.scatter(outputGradient: workspace.outputGradients[l - 1], winners: workspace.winners[l - 1],
                              rows: n, into: workspace.deltas[l - 1])
            }
        }
    }

    /// The summed (not averaged) loss of the batch in the workspace after a forward pass.
    func lossSum(_ workspace: Workspace, rows n: Int) -> Double {
        let last = layers.count - 1
        return loss.sum(preactivation: workspace.preactivations[last], output: workspace.outputs[last],
                        target: workspace.targets, rows: n, columns: outputSize, activation: outputActivation)
    }

    /// Samples of the batch in the workspace whose output is right: the largest output is the
    /// target's largest entry (several outputs), or output and target fall on the same side of
    /// 0.5 (one output).
    func correctCount(_ workspace: Workspace, rows n: Int) -> Int {
        let width = outputSize
        let a = workspace.outputs[layers.count - 1], y = workspace.targets
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

    /// The outputs A^L for `inputs` (one sample per row), computed in batches of up to
    /// `batchSize` rows.
    ///
    /// - Throws: ``NetworkError/dataShape(what:expected:got:)`` when `inputs` has the wrong width.
    public func predict(_ inputs: Matrix, backend: any GEMMBackend, batchSize: Int = 256) throws(NetworkError) -> Matrix {
        try checkBatch(inputs: inputs)
        var result = Matrix(rows: inputs.rows, columns: outputSize)
        guard inputs.rows > 0 else { return result }
        let workspace = Workspace(for: self, capacity: min(max(batchSize, 1), inputs.rows))
        try predict(inputs, into: &result, workspace: workspace, backend: backend)
        return result
    }

    /// The outputs A^L for `inputs` written into `result`, through a caller-kept `workspace`, so
    /// that repeated inference allocates nothing: batches of up to `workspace.capacity` rows.
    ///
    /// - Throws: ``NetworkError/dataShape(what:expected:got:)`` when `inputs` has the wrong width.
    /// - Precondition: `result` is `inputs.rows x outputSize` and `workspace` was made for this network.
    public func predict(_ inputs: Matrix, into result: inout Matrix, workspace: Workspace, backend: any GEMMBackend) throws(NetworkError) {
        try checkBatch(inputs: inputs)
        precondition(result.rows == inputs.rows && result.columns == outputSize,
                     "predict: result is \(result.rows)x\(result.columns), expected \(inputs.rows)x\(outputSize)")
        precondition(workspace.fits(self, rows: 1), "predict: the workspace was made for another network")
        let n = inputs.rows, last = layers.count - 1
        inputs.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { out in
                var start = 0
                while start < n {
                    let rows = min(workspace.capacity, n - start)
                    workspace.withBorrowedInputs(x.baseAddress! + start * inputSize) {
                        forward(workspace, rows: rows, backend: backend)
                    }
                    (out.baseAddress! + start * outputSize).update(from: workspace.outputs[last], count: rows * outputSize)
                    start += rows
                }
            }
        }
    }

    /// The mean loss C over the batch.
    public func loss(inputs: Matrix, targets: Matrix, backend: any GEMMBackend) throws(NetworkError) -> Float {
        try backpropagationTrace(inputs: inputs, targets: targets, backend: backend).loss
    }

    /// The gradient of the mean loss over the batch with respect to every layer's parameters.
    public func gradients(inputs: Matrix, targets: Matrix, backend: any GEMMBackend) throws(NetworkError) -> [ParameterGradient] {
        try backpropagationTrace(inputs: inputs, targets: targets, backend: backend).layers.map(\.gradient)
    }

    /// One forward and backward pass over the whole batch with `backend`, returning every
    /// intermediate per layer (Z, A, Delta, dW, db) without changing the network: what
    /// `mlp train --verify` compares between two backends, layer by layer and equation by equation.
    public func backpropagationTrace(inputs: Matrix, targets: Matrix, backend: any GEMMBackend) throws(NetworkError) -> BackpropagationTrace {
        try checkBatch(inputs: inputs, targets: targets)
        let n = inputs.rows
        guard n > 0 else { throw .dataShape(what: "batch rows", expected: 1, got: 0) }
        let workspace = Workspace(for: self, capacity: n)
        let loss = workspace.withBatch(inputs, targets) {
            forward(workspace, rows: n, backend: backend)
            let loss = Float(lossSum(workspace, rows: n) / Double(n))
            backward(workspace, rows: n, backend: backend)
            return loss
        }
        let traces = layers.enumerated().map { l, layer in
            LayerTrace(
                preactivation: Workspace.matrix(workspace.preactivations[l], rows: n, columns: layer.parameterRows),
                output: Workspace.matrix(workspace.outputs[l], rows: n, columns: layer.outputSize),
                delta: Workspace.matrix(workspace.deltas[l], rows: n, columns: layer.parameterRows),
                gradient: ParameterGradient(
                    weights: Workspace.matrix(workspace.weightGradients[l], rows: layer.parameterRows, columns: layer.inputSize),
                    bias: Array(UnsafeBufferPointer(start: workspace.biasGradients[l], count: layer.parameterRows))))
        }
        return BackpropagationTrace(loss: loss, layers: traces)
    }
}

/// Everything one backpropagation step computed, layer by layer (see
/// ``Network/backpropagationTrace(inputs:targets:backend:)``).
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
    /// Z^l = A^{l-1} (W^l)^T + 1 (b^l)^T, `n x parameterRows`.
    public var preactivation: Matrix
    /// A^l, `n x outputSize`.
    public var output: Matrix
    /// Delta^l, the per-sample error dC_s/dZ^l, `n x parameterRows`.
    public var delta: Matrix
    /// dC/dW^l = (Delta^l)^T A^{l-1} / n and dC/db^l = column sums of Delta^l / n.
    public var gradient: ParameterGradient
}

extension BackpropagationTrace {
    /// How far this trace is from `reference`, layer by layer and equation by equation, each as
    /// ``maxRelativeDifference(_:_:)`` (normwise, against the reference): the check behind
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
