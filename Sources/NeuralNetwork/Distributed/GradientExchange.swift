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
/// over the whole global batch, with one in-place allreduce of the workspace's gradient arena
/// per step.
///
/// Rank r took n_r samples and its ``Workspace`` holds their mean gradient
/// g_r = (1/n_r) sum_{s in r} dC_s/dtheta (the backward pass scales by 1/n_r). The global batch
/// has N = sum_r n_r samples, and its true per-sample mean is
///
///     g = (1/N) sum_s dC_s/dtheta = (1/N) sum_r n_r g_r
///
/// so each rank scales its gradient arena by n_r in place (a rank with n_r = 0 writes zeros),
/// writes its loss sum, its correct count and n_r into the arena's three trailing floats; one
/// in-place allreduce-sum of the whole arena makes it hold sum_r n_r g_r, the global loss sum,
/// correct count and N on every rank; every rank then scales the gradients by 1/N, and the
/// optimizer takes the same step on every rank. Rounding aside, this is the gradient one process
/// computes on the whole batch, whatever the split.
///
/// Float sums are exact for counts below 2^24, so N and the correct count come back exact; the
/// loss sum is reported in float precision.
///
/// Layout (the network's ``ParameterArena``, gaps and non-trained tensors included, which stay
/// zero):
///
///     [ n_r dtheta (arena layout) | lossSum_r | correct_r | n_r ]
final class GradientExchange {
    /// The trailing floats of a gradient arena: loss sum, correct count, rows.
    static let totalsCount = 3

    let communicator: any Communicator

    init(communicator: any Communicator) {
        self.communicator = communicator
    }

    /// Sums `local` and the gradients in `workspace` over all ranks (see the type's formula),
    /// leaving the global mean gradients in `workspace`, and returns the global totals.
    /// Allocates nothing.
    func allreduce(_ workspace: Workspace, _ local: StepTotals) -> StepTotals {
        let buffer = workspace.gradients, base = buffer.baseAddress!
        let count = buffer.count - Self.totalsCount
        scale(base, by: Float(local.rows), count: count)
        base[count] = Float(local.lossSum)
        base[count + 1] = Float(local.correct)
        base[count + 2] = Float(local.rows)

        communicator.allreduceSum(buffer)

        let rows = Int(base[count + 2])
        let global = StepTotals(lossSum: Double(base[count]), correct: Int(base[count + 1]), rows: rows)
        guard rows > 0 else { return global }
        scale(base, by: 1 / Float(rows), count: count)
        return global
    }

    /// x[i] = factor * x[i]; with factor 0, zeros (whatever x holds, NaN included).
    private func scale(_ x: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        if factor == 0 {
            x.update(repeating: 0, count: count)
        } else {
            for i in 0..<count { x[i] = factor * x[i] }
        }
    }
}
