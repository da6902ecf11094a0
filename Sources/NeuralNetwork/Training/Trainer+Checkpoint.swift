/// Where a training run stands at the end of an epoch: everything a ``Trainer`` needs to
/// continue it as if it had never stopped.
///
/// A run is a deterministic function of its options and this state: the network's
/// parameters, the optimizer's per-parameter memory and step count, the shuffling stream,
/// and the number of epochs done (the learning-rate schedule is a function of the epoch).
/// The mini-batch order of the next epoch is the previous epoch's order shuffled again, so it
/// is not stored: ``Trainer/resume(from:)`` replays the shuffles from the seed and checks
/// that they end in ``generator``.
///
/// Not part of the state: early stopping's best loss so far (a resumed run starts that
/// bookkeeping afresh), the learning curves of earlier epochs.
///
/// **Determinism.** Given the same state, options, data, backend and thread count, training
/// is bit-for-bit reproducible on one machine: the batches come from ``SeededGenerator``,
/// every elementwise pass and reduction outside the GEMMs (bias gradients, the loss) runs on
/// the calling thread in a fixed order, and the optimizer updates each parameter on its own.
/// The thread count is part of the promise because of the GEMMs: a product's entries are sums
/// over k, and a backend may cut and associate those sums differently with more threads.
///
/// - `SwiftBackend` never splits k: each thread gets a band of whole rows or columns of C and
///   runs the same kc-panel loop, so its results do not depend on the thread count (a run of
///   2-64-64-2 on the spirals, batch 640, gives the same bytes with 1 and 2 threads).
/// - OpenBLAS chooses its partitioning, blocking and kernels by thread count, matrix shape and
///   CPU (kernels are picked per CPU at load time): the same run with 1 and 2 threads ends
///   with different low-order bits. Its results are reproducible for a fixed thread count on
///   one machine.
///
/// So resume on the same machine type with the backend and thread count the run started with
/// (`mlp train --resume` checks backend and threads).
public struct TrainingState: Sendable, Equatable {
    /// Epochs completed (from 1); the resumed run starts with epoch `epoch + 1`.
    public var epoch: Int
    /// The network after that epoch.
    public var network: Network
    /// The optimizer's memory after that epoch.
    public var memory: OptimizerMemory
    /// The shuffling stream after that epoch's shuffle.
    public var generator: SeededGenerator

    public init(epoch: Int, network: Network, memory: OptimizerMemory, generator: SeededGenerator) {
        self.epoch = epoch
        self.network = network
        self.memory = memory
        self.generator = generator
    }
}

extension Trainer {
    /// The state after `epoch`, to be taken in `onEpoch` (the epoch's report gives the
    /// number); resuming from it continues with epoch `epoch + 1`.
    public func state(afterEpoch epoch: Int) -> TrainingState {
        TrainingState(epoch: epoch, network: network, memory: memory, generator: generator)
    }

    /// Continues a run from `state`: the next ``train(on:onBatch:onEpoch:)`` runs epochs
    /// `state.epoch + 1` through ``TrainingOptions/epochs`` and ends with the same parameters,
    /// bit for bit, as an uninterrupted run with the same options, data and backend (and
    /// thread count, see ``TrainingOptions``).
    ///
    /// - Throws: ``TrainingError/invalidOption(name:value:expected:)`` when the state's network
    ///   has another architecture than this trainer's, its memory belongs to another rule or
    ///   shape, or its epoch is negative.
    public func resume(from state: TrainingState) throws(TrainingError) {
        guard state.epoch >= 0 else {
            throw .invalidOption(name: "epoch", value: "\(state.epoch)", expected: "at least 0")
        }
        let expected = Architecture(of: network), given = Architecture(of: state.network)
        guard expected == given else {
            throw .invalidOption(name: "network", value: given.description, expected: "the architecture \(expected)")
        }
        let fresh = OptimizerMemory(for: optimizer, network: network)
        guard state.memory.slotNames == fresh.slotNames,
              state.memory.tensors.map(\.count) == fresh.tensors.map(\.count),
              state.memory.step >= 0 else {
            throw .invalidOption(name: "optimizer memory", value: "slots \(state.memory.slotNames), step \(state.memory.step)",
                                 expected: "the state of \(optimizer) on this network (slots \(fresh.slotNames))")
        }
        // A rule's memory holds finite numbers, and variances are not negative: anything else was
        // not written by a trainer (the run would fail with a non-finite loss and blame the learning rate).
        for (index, tensor) in state.memory.tensors.enumerated() {
            let perSlot = tensor.count / max(state.memory.slotNames.count, 1)
            for (slot, name) in state.memory.slotNames.enumerated() {
                let values = tensor[(slot * perSlot)..<((slot + 1) * perSlot)]
                let nonNegative = name == "variance" || name == "mean-square"
                if let bad = values.firstIndex(where: { !$0.isFinite || (nonNegative && $0 < 0) }) {
                    throw .invalidOption(name: "optimizer memory",
                                         value: "'\(name)' of layer \(index / 2) \(index % 2 == 0 ? "weight" : "bias") \(bad - values.startIndex) is \(values[bad])",
                                         expected: nonNegative ? "a finite number >= 0 (the optimizer state is corrupt)" : "a finite number (the optimizer state is corrupt)")
                }
            }
        }
        network = state.network
        memory = state.memory
        generator = state.generator
        resumedAfterEpoch = state.epoch
    }

    /// The sample order in effect after ``resumedAfterEpoch`` epochs: identity without
    /// shuffling, else identity shuffled once per epoch from the seed, as
    /// ``train(on:onBatch:onEpoch:)`` does. The replay must end in the restored generator's
    /// state, or the checkpoint does not belong to this seed and data size.
    func restoreOrder(_ order: inout [Int]) throws(TrainingError) {
        guard options.shuffle else { return }
        var replay = SeededGenerator(seed: options.seed)
        for _ in 0..<resumedAfterEpoch { replay.shuffle(&order) }
        guard replay == generator else {
            throw .invalidOption(
                name: "shuffling state", value: "\(generator.state)",
                expected: "the state after \(resumedAfterEpoch) epoch(s) of shuffling \(order.count) samples from seed \(options.seed)")
        }
    }
}
