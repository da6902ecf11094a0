extension Communicator {
    /// Sends `root`'s ``TrainingState`` to every rank: the way a distributed run resumes from a
    /// checkpoint that only the root can read (only the root writes checkpoints, and the ranks'
    /// hosts need not share a file system).
    ///
    /// A collective: every rank calls it. The root passes its state, or nil when it has none to
    /// give (it could not read it), and then every rank returns nil. The other ranks pass `shape`,
    /// a state of the same network architecture and optimizer (their trainer's own, say
    /// ``Trainer/state(afterEpoch:)``), whose values are replaced by the root's; `state` is read
    /// on the root only.
    ///
    /// Broadcasts, in order: seven 64-bit words `[present, epoch, step, generator x 4]`, then one
    /// per tensor of the parameter arena (``broadcastParameters(of:root:)``, running statistics
    /// included), then one per optimizer memory tensor. The values arrive bit for bit.
    ///
    /// - Precondition: the root's state has `shape`'s architecture and memory layout (a trainer
    ///   checks that in ``Trainer/resume(from:)``, which the root should call first).
    public func broadcast(_ state: TrainingState?, shapedLike shape: TrainingState, root: Int = 0) -> TrainingState? {
        guard size > 1 else { return state }
        let sending = rank == root
        var header = [Int64](repeating: 0, count: 7)
        if sending, let state {
            header[0] = 1
            header[1] = Int64(state.epoch)
            header[2] = Int64(state.memory.step)
            for (index, word) in state.generator.state.enumerated() { header[3 + index] = Int64(bitPattern: word) }
        }
        header.withUnsafeMutableBytes { broadcast($0, root: root) }
        guard header[0] == 1 else { return nil }

        var result = sending ? state! : shape
        precondition(result.memory.tensors.map(\.count) == shape.memory.tensors.map(\.count)
                     && result.network.arena.count == shape.network.arena.count,
                     "broadcast(_:shapedLike:): the root's state does not have the shape of this rank's")
        result.epoch = Int(header[1])
        result.memory.step = Int(header[2])
        if !sending {
            // Words the root's generator held, so never all zero.
            guard let generator = try? SeededGenerator(state: header[3...].map { UInt64(bitPattern: $0) }) else {
                preconditionFailure("broadcast(_:shapedLike:): the root sent an invalid generator state")
            }
            result.generator = generator
        }
        broadcastParameters(of: &result.network, root: root)
        for index in result.memory.tensors.indices {
            result.memory.tensors[index].withUnsafeMutableBytes { broadcast($0, root: root) }
        }
        return result
    }
}
