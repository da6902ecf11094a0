/// What one training step saw: summed loss, correct answers and samples, on this rank or,
/// after a ``GradientExchange``, over all ranks.
struct StepTotals {
    /// The loss summed over the samples (not averaged).
    var lossSum: Double
    /// Samples whose output was right (0 when accuracy does not apply).
    var correct: Int
    /// Samples.
    var rows: Int
}

/// Turns each rank's mean gradients over its share of a global batch into the mean gradients
/// over the whole global batch, with one allreduce of one flat buffer per step.
///
/// Rank r took n_r samples and its ``Workspace`` holds their mean gradient
/// g_r = (1/n_r) sum_{s in r} dC_s/dtheta (the backward pass scales by 1/n_r). The global batch
/// has N = sum_r n_r samples, and its true per-sample mean is
///
///     g = (1/N) sum_s dC_s/dtheta = (1/N) sum_r n_r g_r
///
/// so each rank writes n_r g_r (a rank with n_r = 0 writes zeros) for every weight and bias of
/// every layer into one flat buffer of P + 3 floats, followed by its loss sum, its correct count
/// and n_r; one in-place allreduce-sum makes the buffer hold sum_r n_r g_r, the global loss sum,
/// correct count and N on every rank; every rank then writes g = buffer / N back into its
/// workspace, and the optimizer takes the same step on every rank. Rounding aside, this is the
/// gradient one process computes on the whole batch, whatever the split.
///
/// Float sums are exact for counts below 2^24, so N and the correct count come back exact; the
/// loss sum is reported in float precision.
///
/// Layout (P = sum_l (rows_l inputSize_l + rows_l), weights then bias, layer after layer, the
/// order of a saved model's tensors):
///
///     [ n_r dW^0 | n_r db^0 | n_r dW^1 | n_r db^1 | ... | lossSum_r | correct_r | n_r ]
final class GradientExchange {
    let communicator: any Communicator
    /// (weight count, bias count) per layer.
    private let sizes: [(weights: Int, bias: Int)]
    private let buffer: UnsafeMutableBufferPointer<Float>

    /// The parameter count P, the length of the gradient part of the buffer.
    let parameterCount: Int

    init(for network: Network, communicator: any Communicator) {
        self.communicator = communicator
        sizes = network.layers.map { (weights: $0.parameterRows * $0.inputSize, bias: $0.parameterRows) }
        parameterCount = sizes.reduce(0) { $0 + $1.weights + $1.bias }
        buffer = .allocate(capacity: parameterCount + 3)
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    /// Sums `local` and the gradients in `workspace` over all ranks (see the type's formula),
    /// leaving the global mean gradients in `workspace`, and returns the global totals.
    /// Allocates nothing.
    func allreduce(_ workspace: Workspace, _ local: StepTotals) -> StepTotals {
        precondition(workspace.weightGradients.count == sizes.count, "GradientExchange: workspace for another network")
        let base = buffer.baseAddress!
        let weight = Float(local.rows)
        var offset = 0
        for (l, size) in sizes.enumerated() {
            scaled(workspace.weightGradients[l], by: weight, count: size.weights, into: base + offset)
            offset += size.weights
            scaled(workspace.biasGradients[l], by: weight, count: size.bias, into: base + offset)
            offset += size.bias
        }
        base[offset] = Float(local.lossSum)
        base[offset + 1] = Float(local.correct)
        base[offset + 2] = Float(local.rows)

        communicator.allreduceSum(buffer)

        let rows = Int(base[offset + 2])
        let global = StepTotals(lossSum: Double(base[offset]), correct: Int(base[offset + 1]), rows: rows)
        guard rows > 0 else { return global }
        let inverse = 1 / Float(rows)
        offset = 0
        for (l, size) in sizes.enumerated() {
            scaled(base + offset, by: inverse, count: size.weights, into: workspace.weightGradients[l])
            offset += size.weights
            scaled(base + offset, by: inverse, count: size.bias, into: workspace.biasGradients[l])
            offset += size.bias
        }
        return global
    }

    /// target[i] = factor * source[i]; with factor 0, zeros (whatever the source holds, NaN included).
    private func scaled(_ source: UnsafePointer<Float>, by factor: Float, count: Int, into target: UnsafeMutablePointer<Float>) {
        if factor == 0 {
            target.update(repeating: 0, count: count)
        } else {
            for i in 0..<count { target[i] = factor * source[i] }
        }
    }
}
