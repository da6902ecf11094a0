/// The group of processes ("ranks") that train one network together, data-parallel: every rank
/// holds the whole network, takes its share of each global mini-batch, and the ranks sum their
/// gradients before the identical update on every rank (the design of Horovod and PyTorch DDP).
///
/// A ``Trainer`` talks to its ranks only through this protocol and does not know which
/// implementation it has: ``SingleProcessCommunicator`` (one rank, every collective a no-op,
/// the default) or, when the package trait `MPI` is on, `MPICommunicator` (module
/// `NeuralNetworkMPI`, which depends on this one).
///
/// Every method is a *collective*: all ranks call it, in the same order, with buffers of the
/// same length, or the ranks wait for one another forever (MPI's rule).
public protocol Communicator: AnyObject {
    /// This process's index in 0..<``size``; rank 0 is the root, which alone reads the initial
    /// weights and writes output.
    var rank: Int { get }
    /// The number of ranks.
    var size: Int { get }
    /// Seconds spent inside collectives so far (waiting for slower ranks included): the
    /// communication share of a run is this over its wall-clock time.
    var secondsCommunicating: Double { get }

    /// Replaces every element of `buffer` by its sum over all ranks, in place:
    /// x_i <- sum_r x_i^(r). Every rank receives the same sums.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)

    /// Starts ``allreduceSum(_:)`` on `buffer` and may return before it is done: the sums are
    /// in `buffer` once ``waitForAllreduces()`` returns, and nothing may touch `buffer` until
    /// then. Several may be in flight, on disjoint buffers; every rank starts the same ones in
    /// the same order. The default runs the blocking ``allreduceSum(_:)`` at once.
    func startAllreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)

    /// Lets the started allreduces advance (MPI moves a non-blocking collective only inside its
    /// own calls); the default does nothing.
    func progressAllreduces()

    /// Returns once every started allreduce has finished; the default returns at once.
    func waitForAllreduces()

    /// Copies `root`'s `buffer` into every other rank's `buffer` (same length on all ranks).
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int)

    /// Returns once every rank has called it.
    func barrier()
}

extension Communicator {
    public func startAllreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) { allreduceSum(buffer) }
    public func progressAllreduces() {}
    public func waitForAllreduces() {}

    /// Whether this is rank 0, the one that initialises, prints and saves.
    public var isRoot: Bool { rank == 0 }

    /// This rank's part of the global batch `batch` (positions in the epoch's sample order).
    ///
    /// The rule: a batch of B samples splits into `size` contiguous blocks in rank order; with
    /// q = B / size and e = B mod size, rank r takes B_r = q + (r < e ? 1 : 0) samples starting
    /// at r q + min(r, e). So the blocks cover the batch exactly once, differ in length by at
    /// most one, and an uneven last batch (B smaller than the others, even B < size) needs
    /// nothing special: some ranks then take q + 1 samples, others q, possibly 0.
    public func share(of batch: Range<Int>) -> Range<Int> {
        let count = batch.count, q = count / size, e = count % size
        let start = batch.lowerBound + rank * q + min(rank, e)
        return start..<(start + q + (rank < e ? 1 : 0))
    }

    /// Overwrites every tensor of `network` with `root`'s (one broadcast per arena range,
    /// running statistics included), so all ranks start from the same values.
    ///
    /// - Precondition: the networks have the same shapes on every rank.
    public func broadcastParameters(of network: inout Network, root: Int = 0) {
        guard size > 1 else { return }
        let entries = network.arena.entries
        network.arena.values.withUnsafeMutableBufferPointer { values in
            for entry in entries {
                broadcast(UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: values[entry.range])), root: root)
            }
        }
    }

    /// Overwrites the tensors of `network` that are not trained (BatchNorm's running
    /// statistics) with `root`'s, one broadcast per range. Allocates nothing.
    public func broadcastUntrainedTensors(of network: inout Network, root: Int = 0) {
        guard size > 1 else { return }
        let entries = network.arena.entries
        network.arena.values.withUnsafeMutableBufferPointer { values in
            for entry in entries where !entry.declaration.isTrainable {
                broadcast(UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: values[entry.range])), root: root)
            }
        }
    }

    /// Sends `root`'s bytes to every rank and returns them; `bytes` is read on the root only.
    /// A nil on the root reaches the others as nil: the way the root says it failed, so that
    /// the others stop instead of waiting for data that will not come.
    ///
    /// Two broadcasts: the length (-1 for nil), then the bytes.
    public func broadcast(bytes: [UInt8]?, root: Int = 0) -> [UInt8]? {
        var length: Int64 = rank == root ? Int64(bytes?.count ?? -1) : 0
        withUnsafeMutableBytes(of: &length) { broadcast($0, root: root) }
        guard length >= 0 else { return nil }
        var result = rank == root ? bytes! : [UInt8](repeating: 0, count: Int(length))
        result.withUnsafeMutableBytes { broadcast($0, root: root) }
        return result
    }
}

/// One rank alone: the ranks' sums are the values themselves and nothing is ever sent.
/// The ``Trainer``'s default, under which it behaves exactly as without any communicator.
public final class SingleProcessCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var secondsCommunicating: Double { 0 }
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
        precondition(root == 0, "SingleProcessCommunicator: root \(root) of 1 rank")
    }
    public func barrier() {}
}
