/// The states of an ``Optimizer`` for every parameter of a network, as plain arrays.
///
/// ``tensors`` has one array per parameter tensor, in the order layer 0 weight, layer 0 bias,
/// layer 1 weight, ... (the order of a saved model's tensors); each array is slot-major: slot
/// s of parameter i sits at `s * count + i`, so `tensors[t]` splits into the rule's
/// ``OptimizerState/slotNames`` as contiguous blocks. With ``step`` (the number of updates
/// made) this is everything a checkpoint needs to resume the rule exactly.
public struct OptimizerMemory: Sendable, Equatable {
    /// Updates made so far (Adam's t after the next update is `step + 1`).
    public var step: Int
    /// Slot-major state arrays, one per parameter tensor.
    public var tensors: [[Float]]
    /// The names of the slots each array holds, in order.
    public let slotNames: [String]

    /// Zero state for `optimizer` on `network`.
    public init<O: Optimizer>(for optimizer: O, network: Network) {
        slotNames = O.State.slotNames
        step = 0
        let slots = O.State.slotNames.count
        tensors = network.layers.flatMap { layer in
            [[Float](repeating: 0, count: slots * layer.parameterRows * layer.inputSize),
             [Float](repeating: 0, count: slots * layer.parameterRows)]
        }
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
            throw .parameterShape(layer: index / 2, tensor: index % 2 == 0 ? "weight state" : "bias state",
                                  expected: [expected.count], got: [given.count])
        }
        self.step = step
        self.tensors = tensors
    }

    /// One update of every parameter of `network` from the mean gradients in `workspace`:
    /// the rule applied to each scalar with t = `step + 1` and the given learning rate, on the
    /// threads of the backend of the last pass over `workspace` (``Workspace/threads``).
    /// Allocates nothing.
    mutating func apply<O: Optimizer>(_ optimizer: O, to network: inout Network, workspace: Workspace, learningRate: Float) {
        step += 1
        let t = step
        for l in network.layers.indices {
            network.withParameters(of: l) { weights, bias in
                // The weights' update may use the threads of the backend that computed the gradients.
                var weightStep = OptimizationStep(learningRate: learningRate, count: t, weightDecayApplies: true)
                weightStep.threads = workspace.threads
                Self.update(optimizer, parameters: weights, gradients: workspace.weightGradients[l],
                            states: &tensors[2 * l], step: weightStep)
                Self.update(optimizer, parameters: bias, gradients: workspace.biasGradients[l],
                            states: &tensors[2 * l + 1], step: OptimizationStep(learningRate: learningRate, count: t, weightDecayApplies: false))
            }
        }
    }

    /// Applies `optimizer` to explicit gradients (one per layer) instead of a workspace.
    public mutating func apply<O: Optimizer>(_ optimizer: O, to network: inout Network, gradients: [ParameterGradient], learningRate: Float? = nil) {
        precondition(gradients.count == network.layers.count, "OptimizerMemory: \(gradients.count) gradients for \(network.layers.count) layers")
        step += 1
        let t = step
        let eta = learningRate ?? optimizer.learningRate
        for l in network.layers.indices {
            network.withParameters(of: l) { weights, bias in
                gradients[l].weights.withUnsafeBufferPointer { gw in
                    Self.update(optimizer, parameters: weights, gradients: gw.baseAddress!, states: &tensors[2 * l],
                                step: OptimizationStep(learningRate: eta, count: t, weightDecayApplies: true))
                }
                gradients[l].bias.withUnsafeBufferPointer { gb in
                    Self.update(optimizer, parameters: bias, gradients: gb.baseAddress!, states: &tensors[2 * l + 1],
                                step: OptimizationStep(learningRate: eta, count: t, weightDecayApplies: false))
                }
            }
        }
    }

    private static func update<O: Optimizer>(
        _ optimizer: O, parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafePointer<Float>,
        states: inout [Float], step unprepared: OptimizationStep
    ) {
        var step = unprepared
        optimizer.prepare(&step)
        states.withUnsafeMutableBufferPointer { s in
            let storage = s.baseAddress ?? UnsafeMutablePointer<Float>(bitPattern: 16)!  // never read when the rule has no slots
            optimizer.update(parameters: parameters, gradients: gradients, states: storage, step: step)
        }
    }
}
