import RealModule

/// Checks backpropagation against central finite differences computed in `Double`.
///
/// For every parameter theta of every layer:
///
///     numeric = (C(theta + h) - C(theta - h)) / (2h)
///
/// where C is the mean loss over the batch evaluated by an independent `Double` forward pass
/// (each layer kind's ``Layer/referenceForward(_:values:context:)``: no GEMM, no workspace, no
/// fusion). The backprop gradient comes from
/// ``Network/backpropagationTrace(inputs:targets:backend:random:)`` in `Float` with the given
/// backend. Per tensor the error is normwise relative:
///
///     max_i |numeric_i - backprop_i| / max(max_i |numeric_i|, max_i |backprop_i|, 1e-12)
///
/// which does not blow up on entries that are nearly zero. With h = 1e-5 the truncation
/// error is about h² and the rounding error about 1e-16/h, far below Float's 6e-8, so what is
/// measured is the backprop in `Float` (expect 1e-7 to 1e-5).
public enum GradientCheck {
    /// The error of one tensor.
    public struct TensorError: Sendable, Equatable {
        /// The tensor's name in its layer (`weight`, `bias`, ...).
        public var name: String
        /// Normwise relative error of its gradient.
        public var error: Double
    }

    /// The errors of one layer's trainable tensors.
    public struct LayerError: Sendable, Equatable {
        /// Per trainable tensor, in declared order (empty for a layer without any).
        public var tensors: [TensorError]
        /// The error of dC/dW (0 when the layer has no weight).
        public var weights: Double { tensors.first { $0.name == "weight" }?.error ?? 0 }
        /// The error of dC/db (0 when the layer has no bias).
        public var bias: Double { tensors.first { $0.name == "bias" }?.error ?? 0 }
        /// The largest.
        public var worst: Double { tensors.map(\.error).max() ?? 0 }
    }

    /// The errors of every layer.
    public struct Report: Sendable, Equatable {
        /// Per layer, input side first.
        public var layers: [LayerError]
        /// The worst error in the network.
        public var worst: Double { layers.map(\.worst).max() ?? 0 }
    }

    /// Compares backprop with central differences for `network` on one batch, in training
    /// (BatchNorm with batch statistics; Dropout with the masks `random` keys, the same in
    /// both computations).
    ///
    /// - Parameters:
    ///   - network: the network whose gradients are checked (not changed).
    ///   - inputs: the batch, one sample per row.
    ///   - targets: the batch's targets, one row per sample.
    ///   - backend: the backend of the backpropagation being checked.
    ///   - h: the step of the central difference (argument label `step`), in `Double`.
    ///   - random: the stream that keys Dropout's masks in both computations.
    /// - Throws: ``NetworkError/dataShape(what:expected:got:)`` when the batch does not fit.
    public static func check(_ network: Network, inputs: Matrix, targets: Matrix, backend: any GEMMBackend,
                             step h: Double = 1e-5, random: RandomStream = RandomStream(seed: 0, step: 1)) throws(NetworkError) -> Report {
        let trace = try network.backpropagationTrace(inputs: inputs, targets: targets, backend: backend, random: random)
        var values = DoubleValues(network)
        var layers: [LayerError] = []
        for l in network.kinds.indices {
            var errors: [TensorError] = []
            for (position, entryIndex) in network.arena.layerEntries[l].enumerated() {
                let declaration = network.arena.entries[entryIndex].declaration
                guard declaration.isTrainable else { continue }
                let numeric = numericGradient(&values, layer: l, tensor: position, network: network, inputs: inputs,
                                              targets: targets, h: h, random: random)
                errors.append(TensorError(name: declaration.name, error: relativeError(numeric, trace.layers[l].tensorGradients[position])))
            }
            layers.append(LayerError(tensors: errors))
        }
        return Report(layers: layers)
    }

    /// The central-difference gradient of one tensor (weights or bias of one layer).
    public static func numericGradient(_ network: Network, layer: Int, bias: Bool, inputs: Matrix, targets: Matrix,
                                       step h: Double = 1e-5) -> [Double] {
        var values = DoubleValues(network)
        let tensor = network.kinds[layer].tensors.firstIndex { $0.name == (bias ? "bias" : "weight") }!
        return numericGradient(&values, layer: layer, tensor: tensor, network: network, inputs: inputs, targets: targets, h: h,
                               random: RandomStream(seed: 0, step: 1))
    }

    /// The mean loss over the batch, by a forward pass in `Double` (training phase).
    public static func loss(_ network: Network, inputs: Matrix, targets: Matrix,
                            random: RandomStream = RandomStream(seed: 0, step: 1)) -> Double {
        loss(DoubleValues(network), network: network, inputs: inputs, targets: targets, random: random)
    }

    /// The outputs of `network` by a forward pass in `Double`, in `phase`.
    public static func outputs(_ network: Network, inputs: Matrix, phase: Phase = .inference,
                               random: RandomStream = RandomStream(seed: 0, step: 1)) -> [[Double]] {
        forward(DoubleValues(network), network: network, batch: rows(inputs), phase: phase, random: random).output
    }

    // MARK: - The independent Double implementation

    /// Every tensor's values in `Double`, per layer in declared order.
    struct DoubleValues {
        var layers: [[[Double]]]
        init(_ network: Network) {
            layers = network.kinds.indices.map { l in
                network.arena.layerEntries[l].map { network.arena.values[network.arena.entries[$0].range].map(Double.init) }
            }
        }
    }

    static func rows(_ m: Matrix) -> [[Double]] {
        (0..<m.rows).map { s in (0..<m.columns).map { Double(m[s, $0]) } }
    }

    private static func numericGradient(_ p: inout DoubleValues, layer l: Int, tensor t: Int, network: Network,
                                        inputs: Matrix, targets: Matrix, h: Double, random: RandomStream) -> [Double] {
        (0..<p.layers[l][t].count).map { i in
            let original = p.layers[l][t][i]
            p.layers[l][t][i] = original + h
            let plus = loss(p, network: network, inputs: inputs, targets: targets, random: random)
            p.layers[l][t][i] = original - h
            let minus = loss(p, network: network, inputs: inputs, targets: targets, random: random)
            p.layers[l][t][i] = original
            return (plus - minus) / (2 * h)
        }
    }

    /// The forward pass of a batch, layer by layer through each kind's reference (after the
    /// network's standardizer, (x - mean) / scale, when it has one); also the output layer's
    /// pre-activation when its activation fuses with the loss (Dense).
    private static func forward(_ p: DoubleValues, network: Network, batch: [[Double]], phase: Phase,
                                random: RandomStream) -> (output: [[Double]], z: [[Double]]?) {
        var a = batch, z: [[Double]]?
        if let standardizer = network.standardizer {
            a = batch.map { row in row.indices.map { j in (row[j] - Double(standardizer.mean[j])) / Double(standardizer.scale[j]) } }
        }
        for (l, layer) in network.kinds.enumerated() {
            let context = ReferenceContext(phase: phase, random: random, index: l)
            if l == network.kinds.count - 1, let dense = layer as? Dense {
                z = Dense(inputSize: dense.inputSize, outputSize: dense.outputSize, activation: .identity)
                    .referenceForward(a, values: p.layers[l], context: context)
            }
            a = layer.referenceForward(a, values: p.layers[l], context: context)
        }
        return (a, z)
    }

    private static func loss(_ p: DoubleValues, network: Network, inputs: Matrix, targets: Matrix, random: RandomStream) -> Double {
        let (outputs, zs) = forward(p, network: network, batch: rows(inputs), phase: .training, random: random)
        var total = 0.0
        for s in outputs.indices {
            let a = outputs[s], z = zs?[s] ?? a
            for j in a.indices {
                let y = Double(targets[s, j])
                switch (network.loss, network.outputActivation) {
                case (.crossEntropy, .softmax):
                    // -y ln a_j with ln a_j = z_j - logsumexp(z)
                    if y != 0 {
                        let m = z.max()!
                        total -= y * (z[j] - m - Double.log(z.reduce(0) { $0 + Double.exp($1 - m) }))
                    }
                case (.binaryCrossEntropy, .sigmoid):
                    total += Activation.softplus(z[j]) - y * z[j]
                default:
                    total += Loss.term(network.loss, a: a[j], y: y)
                }
            }
        }
        return total / Double(max(inputs.rows, 1))
    }

    private static func relativeError(_ numeric: [Double], _ backprop: [Float]) -> Double {
        var difference = 0.0, scale = 1e-12
        for (u, v) in zip(numeric, backprop) {
            difference = max(difference, abs(u - Double(v)))
            scale = max(scale, abs(u), abs(Double(v)))
        }
        return difference / scale
    }
}
