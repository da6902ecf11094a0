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
/// over the whole global batch, with in-place allreduces of the workspace's gradient arena,
/// started bucket by bucket as the backward pass finishes the layers that fill them, so that
/// the transfer of the upper layers' gradients runs behind the backward pass of the lower ones
/// (the bucketing of PyTorch DDP).
///
/// Rank r took n_r samples and its ``Workspace`` holds their mean gradient
/// g_r = (1/n_r) sum_{s in r} dC_s/dtheta (the backward pass scales by 1/n_r). The global batch
/// has N = sum_r n_r samples, and its true per-sample mean is
///
///     g = (1/N) sum_r n_r g_r
///
/// so each rank scales its gradients by n_r in place (a rank with n_r = 0 writes zeros) and
/// writes its loss sum, its correct count and n_r into the arena's three trailing floats; the
/// allreduce-sums leave sum_r n_r g_r, the global loss sum, correct count and N on every rank;
/// every rank then scales the gradients by 1/N, and the optimizer takes the same step on every
/// rank. Rounding aside, this is the gradient one process computes on the whole batch.
///
/// Buckets: the arena holds layer after layer, and the backward pass finishes them from the
/// last down, so a bucket is a run of whole layers from the top of the arena down, cut where it
/// reaches ``bucketFloats`` (the first bucket also holds the trailing floats). Every rank cuts the
/// same buckets and starts them in the same order. With no bucket size, one bucket holds the
/// whole arena and is started after the backward pass: one blocking allreduce, as before.
/// Each element is summed over the ranks by one allreduce either way; MPI may order a sum of
/// more than two ranks differently for messages of different sizes, which changes the result
/// by float rounding only.
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
    /// Float ranges of the gradient arena, from the top down; the first ends with the totals.
    let buckets: [Range<Int>]
    /// Per bucket, the layer whose backward step completes it (its lowest layer).
    let bucketLayers: [Int]
    /// Buckets started in this step.
    private var started = 0
    /// This rank's rows in this step (the factor n_r).
    private var rows = 0

    /// The exchange for a network with `arena`'s layout; `bucketFloats` nil (or larger than the
    /// arena) gives one bucket, started after the backward pass.
    init(communicator: any Communicator, arena: ParameterArena, bucketFloats: Int? = nil) {
        self.communicator = communicator
        let end = arena.count + Self.totalsCount
        var buckets: [Range<Int>] = [], layers: [Int] = []
        if let bucketFloats, bucketFloats > 0 {
            var upper = end
            for l in stride(from: arena.layerOffsets.count - 1, through: 1, by: -1) where upper - arena.layerOffsets[l] >= bucketFloats {
                buckets.append(arena.layerOffsets[l]..<upper)
                layers.append(l)
                upper = arena.layerOffsets[l]
            }
            buckets.append(0..<upper)
            layers.append(0)
        } else {
            buckets = [0..<end]
            layers = [-1]  // after the backward pass
        }
        self.buckets = buckets
        self.bucketLayers = layers
    }

    /// Before the backward pass: writes this rank's totals into the arena's trailing floats.
    func begin(_ workspace: Workspace, _ local: StepTotals) {
        let base = workspace.gradients.baseAddress!, count = workspace.gradients.count - Self.totalsCount
        base[count] = Float(local.lossSum)
        base[count + 1] = Float(local.correct)
        base[count + 2] = Float(local.rows)
        rows = local.rows
        started = 0
    }

    /// After the backward step of layer `layer`: starts the buckets it completes, and lets the
    /// ones in flight advance.
    func finished(layer: Int, _ workspace: Workspace) {
        while started < buckets.count && bucketLayers[started] == layer { start(bucket: started, workspace) }
        communicator.progressAllreduces()
    }

    /// After the backward pass (or instead of it, when this rank had none): starts what is left,
    /// waits for every bucket, leaves the global mean gradients in `workspace` and returns the
    /// global totals. Allocates nothing.
    func finish(_ workspace: Workspace) -> StepTotals {
        while started < buckets.count { start(bucket: started, workspace) }
        communicator.waitForAllreduces()
        let base = workspace.gradients.baseAddress!, count = workspace.gradients.count - Self.totalsCount
        let rows = Int(base[count + 2])
        let global = StepTotals(lossSum: Double(base[count]), correct: Int(base[count + 1]), rows: rows)
        guard rows > 0 else { return global }
        scale(base, by: 1 / Float(rows), count: count)
        return global
    }

    /// Scales bucket `index`'s gradients by n_r and starts its allreduce.
    private func start(bucket index: Int, _ workspace: Workspace) {
        let range = buckets[index], base = workspace.gradients.baseAddress!
        let gradients = min(range.upperBound, workspace.gradients.count - Self.totalsCount) - range.lowerBound
        scale(base + range.lowerBound, by: Float(rows), count: gradients)
        communicator.startAllreduceSum(UnsafeMutableBufferPointer(start: base + range.lowerBound, count: range.count))
        started += 1
    }

    /// x[i] = factor * x[i]; with factor 0, zeros (whatever x holds, NaN included).
    private func scale(_ x: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        if factor == 0 {
            x.update(repeating: 0, count: count)
        } else if factor != 1 {
            for i in 0..<count { x[i] = factor * x[i] }
        }
    }
}
