/// The states of an ``Optimizer`` for every trainable tensor of a network, as plain arrays.
///
/// ``tensors`` has one array per trainable tensor of the network's ``ParameterArena``, in arena
/// order (for Dense and Maxout layers: layer 0 weight, layer 0 bias, layer 1 weight, ..., the
/// order of a saved model's tensors); each array is slot-major: slot s of parameter i sits at
/// `s * count + i`, so `tensors[t]` splits into the rule's ``OptimizerState/slotNames`` as
/// contiguous blocks. With ``step`` (the number of updates made) this is everything a
/// checkpoint needs to resume the rule exactly.
public struct OptimizerMemory: Sendable, Equatable {
    /// Updates made so far (Adam's t after the next update is `step + 1`).
    public var step: Int
    /// Slot-major state arrays, one per trainable tensor.
    public var tensors: [[Float]]
    /// The names of the slots each array holds, in order.
    public let slotNames: [String]

    /// Zero state for `optimizer` on `network`.
    public init<O: Optimizer>(for optimizer: O, network: Network) {
        slotNames = O.State.slotNames
        step = 0
        let slots = O.State.slotNames.count
        tensors = network.arena.trainable.map { [Float](repeating: 0, count: slots * $0.declaration.count) }
    }

    /// Memory restored from a checkpoint.
    ///
    /// - Throws: ``NetworkError/parameterShape(layer:tensor:expected:got:)`` when an array's
    ///   length does not fit `optimizer` and `network`.
    public init<O: Optimizer>(for optimizer: O, network: Network, step: Int, tensors: [[Float]]) throws(NetworkError) {
        self.init(for: optimizer, network: network)
        guard tensors.count == self.tensors.count else {
            throw .parameterShape(layer: -1, tensor: "optimizer state", expected: [self.tensors.count], got: [tensors.count])
        }
        for (index, (given, expected)) in zip(tensors, self.tensors).enumerated() where given.count != expected.count {
            let entry = network.arena.trainable[index]
            throw .parameterShape(layer: entry.layer, tensor: entry.declaration.name + " state", expected: [expected.count], got: [given.count])
        }
        self.step = step
        self.tensors = tensors
    }

    /// One update of every trainable tensor of `network` from the mean gradients in
    /// `workspace`'s gradient arena: the rule applied to each scalar with t = `step + 1` and the
    /// given learning rate, on the threads of the backend of the last pass over `workspace`
    /// (``Workspace/threads``). Allocates nothing.
    mutating func apply<O: Optimizer>(_ optimizer: O, to network: inout Network, workspace: Workspace, learningRate: Float) {
        update(optimizer, network: &network, learningRate: learningRate, threads: workspace.threads) { range in
            UnsafePointer(workspace.gradients.baseAddress! + range.lowerBound)
        }
    }

    /// Applies `optimizer` to explicit gradients (one per layer: weight and bias) instead of a workspace.
    public mutating func apply<O: Optimizer>(_ optimizer: O, to network: inout Network, gradients: [ParameterGradient], learningRate: Float? = nil) {
        precondition(gradients.count == network.kinds.count, "OptimizerMemory: \(gradients.count) gradients for \(network.kinds.count) layers")
        var flat = [Float](repeating: 0, count: network.arena.count)
        for entry in network.arena.trainable {
            let gradient = gradients[entry.layer]
            let values = entry.declaration.name == "weight" ? gradient.weights.elements : gradient.bias
            precondition(values.count == entry.declaration.count, "OptimizerMemory: gradient of \(entry.declaration.name) of layer \(entry.layer)")
            flat.replaceSubrange(entry.range, with: values)
        }
        flat.withUnsafeBufferPointer { g in
            update(optimizer, network: &network, learningRate: learningRate ?? optimizer.learningRate, threads: 1) { range in
                g.baseAddress! + range.lowerBound
            }
        }
    }

    /// One pass over the trainable ranges of the arena: tensor t's parameters, its gradients
    /// (where `gradients` says) and its states.
    private mutating func update<O: Optimizer>(_ optimizer: O, network: inout Network, learningRate: Float, threads: Int,
                                               gradients: (Range<Int>) -> UnsafePointer<Float>) {
        step += 1
        let t = step
        let entries = network.arena.entries
        network.arena.values.withUnsafeMutableBufferPointer { values in
            var slot = 0
            for entry in entries where entry.declaration.isTrainable {
                var step = OptimizationStep(learningRate: learningRate, count: t, weightDecayApplies: entry.declaration.decays)
                // Large tensors' updates may use the threads of the backend that computed the gradients.
                step.threads = threads
                optimizer.prepare(&step)
                let parameters = UnsafeMutableBufferPointer(rebasing: values[entry.range])
                tensors[slot].withUnsafeMutableBufferPointer { s in
                    let storage = s.baseAddress ?? UnsafeMutablePointer<Float>(bitPattern: 16)!  // never read when the rule has no slots
                    optimizer.update(parameters: parameters, gradients: gradients(entry.range), states: storage, step: step)
                }
                slot += 1
            }
        }
    }
}
