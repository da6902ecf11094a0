import RealModule

/// Checks backpropagation against central finite differences computed in `Double`.
///
/// For every parameter theta of every layer:
///
///     numeric = (C(theta + h) - C(theta - h)) / (2h)
///
/// where C is the mean loss over the batch evaluated by an independent, per-sample `Double`
/// forward pass (no GEMM, no workspace, no fusion). The backprop gradient comes from
/// ``Network/backpropagationTrace(inputs:targets:backend:)`` in `Float` with the given
/// backend. Per tensor the error is normwise relative:
///
///     max_i |numeric_i - backprop_i| / max(max_i |numeric_i|, max_i |backprop_i|, 1e-12)
///
/// which does not blow up on entries that are nearly zero. With h = 1e-5 the truncation
/// error is about h² and the rounding error about 1e-16/h, far below Float's 6e-8, so what is
/// measured is the backprop in `Float` (expect 1e-7 to 1e-5).
public enum GradientCheck {
    /// The worst error of one layer's weights and bias.
    public struct LayerError: Sendable, Equatable {
        /// Normwise relative error of dC/dW.
        public var weights: Double
        /// Normwise relative error of dC/db.
        public var bias: Double
        /// The larger of the two.
        public var worst: Double { max(weights, bias) }
    }

    /// The errors of every layer.
    public struct Report: Sendable, Equatable {
        /// Per layer, input side first.
        public var layers: [LayerError]
        /// The worst error in the network.
        public var worst: Double { layers.map(\.worst).max() ?? 0 }
    }

    /// Compares backprop with central differences for `network` on one batch.
    ///
    /// - Parameters:
    ///   - step: h of the central difference, in `Double`.
    /// - Throws: ``NetworkError/dataShape(what:expected:got:)`` when the batch does not fit.
    public static func check(_ network: Network, inputs: Matrix, targets: Matrix, backend: any GEMMBackend,
                             step h: Double = 1e-5) throws(NetworkError) -> Report {
        let trace = try network.backpropagationTrace(inputs: inputs, targets: targets, backend: backend)
        var parameters = DoubleParameters(network)
        var layers: [LayerError] = []
        for l in network.layers.indices {
            let numericW = numericGradient(&parameters, layer: l, bias: false, network: network, inputs: inputs, targets: targets, h: h)
            let numericB = numericGradient(&parameters, layer: l, bias: true, network: network, inputs: inputs, targets: targets, h: h)
            layers.append(LayerError(
                weights: relativeError(numericW, trace.layers[l].gradient.weights.elements),
                bias: relativeError(numericB, trace.layers[l].gradient.bias)))
        }
        return Report(layers: layers)
    }

    /// The central-difference gradient of one tensor (weights or bias of one layer).
    public static func numericGradient(_ network: Network, layer: Int, bias: Bool, inputs: Matrix, targets: Matrix,
                                       step h: Double = 1e-5) -> [Double] {
        var parameters = DoubleParameters(network)
        return numericGradient(&parameters, layer: layer, bias: bias, network: network, inputs: inputs, targets: targets, h: h)
    }

    /// The mean loss over the batch, by a per-sample forward pass in `Double`.
    public static func loss(_ network: Network, inputs: Matrix, targets: Matrix) -> Double {
        loss(DoubleParameters(network), network: network, inputs: inputs, targets: targets)
    }

    /// The outputs of `network` by a per-sample forward pass in `Double`.
    public static func outputs(_ network: Network, inputs: Matrix) -> [[Double]] {
        let parameters = DoubleParameters(network)
        return (0..<inputs.rows).map { s in
            forward(parameters, network: network, input: (0..<inputs.columns).map { Double(inputs[s, $0]) }).output
        }
    }

    // MARK: - The independent Double implementation

    struct DoubleParameters {
        var weights: [[Double]]
        var biases: [[Double]]
        init(_ network: Network) {
            weights = network.layers.map { $0.weights.elements.map(Double.init) }
            biases = network.layers.map { $0.bias.map(Double.init) }
        }
    }

    private static func numericGradient(_ p: inout DoubleParameters, layer l: Int, bias: Bool, network: Network,
                                        inputs: Matrix, targets: Matrix, h: Double) -> [Double] {
        let count = bias ? p.biases[l].count : p.weights[l].count
        return (0..<count).map { i in
            let original = bias ? p.biases[l][i] : p.weights[l][i]
            func set(_ v: Double) { if bias { p.biases[l][i] = v } else { p.weights[l][i] = v } }
            set(original + h)
            let plus = loss(p, network: network, inputs: inputs, targets: targets)
            set(original - h)
            let minus = loss(p, network: network, inputs: inputs, targets: targets)
            set(original)
            return (plus - minus) / (2 * h)
        }
    }

    /// Forward pass of one sample; also returns the output pre-activation (for the fused losses).
    private static func forward(_ p: DoubleParameters, network: Network, input: [Double]) -> (output: [Double], z: [Double]) {
        var a = input, z: [Double] = []
        for (l, layer) in network.layers.enumerated() {
            let rows = layer.parameterRows, columns = layer.inputSize
            z = (0..<rows).map { r in
                var sum = p.biases[l][r]
                for c in 0..<columns { sum += p.weights[l][r * columns + c] * a[c] }
                return sum
            }
            switch layer {
            case .dense(let d):
                a = d.activation == .softmax ? Activation.softmax(z) : z.map { d.activation.value($0) }
            case .maxout(let m):
                a = (0..<m.outputSize).map { u in z[(u * m.pieces)..<((u + 1) * m.pieces)].max()! }
            }
        }
        return (a, z)
    }

    private static func loss(_ p: DoubleParameters, network: Network, inputs: Matrix, targets: Matrix) -> Double {
        var total = 0.0
        for s in 0..<inputs.rows {
            let (a, z) = forward(p, network: network, input: (0..<inputs.columns).map { Double(inputs[s, $0]) })
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
