import Foundation
import Testing
@testable import NeuralNetwork

/// Data-parallel training without MPI: N ``Trainer``s on N threads of this process, joined by
/// an in-memory communicator, must end with the weights one trainer reaches on the whole
/// batches. (The same through `mpirun` is in MLPToolTests/DistributedTests.swift, MPI trait.)
@Suite("Distributed trainer")
struct DistributedTrainerTests {
    @Test("share(of:) splits every batch into contiguous blocks in rank order, lengths within one")
    func shareRule() {
        for size in 1...5 {
            for count in 0...13 {
                let batch = 100..<(100 + count)
                let shares = (0..<size).map { InProcessGroup(size: size).communicator(rank: $0).share(of: batch) }
                #expect(shares.flatMap { Array($0) } == Array(batch), "size \(size), count \(count)")
                let lengths = shares.map(\.count)
                #expect(lengths.max()! - lengths.min()! <= 1)
                #expect(lengths == lengths.sorted(by: >))  // the first count mod size ranks take one more
            }
        }
    }

    /// 2 and 4 ranks, SGD and Adam, file order and shuffled. 23 samples in batches of 6 leave a
    /// last batch of 5, split unevenly; batches of 3 over 4 ranks leave one rank empty at every step.
    @Test("N ranks with global batch B end with the weights of one process with batch B",
          arguments: [2, 4], [false, true])
    func ranksMatchOneProcess(ranks: Int, shuffle: Bool) throws {
        let data = regressionDataset(randomMatrix(rows: 23, columns: 3, seed: 11), oneHotTargets(rows: 23, classes: 3, seed: 12))
        let network = try Network(sizes: [3, 6, 3], hiddenActivation: .tanh, outputActivation: .softmax, loss: .crossEntropy, seed: 13)
        for batchSize in [6, 3] {
            let options = TrainingOptions(batchSize: batchSize, epochs: 4, shuffle: shuffle, seed: 9)
            let sgd = try SGD(learningRate: 0.3), adam = try Adam(learningRate: 0.02)

            let single = try train(network, sgd, options, data, communicator: SingleProcessCommunicator())
            let spread = try trainOnRanks(ranks, network, sgd, options, data)
            let singleAdam = try train(network, adam, options, data, communicator: SingleProcessCommunicator())
            let spreadAdam = try trainOnRanks(ranks, network, adam, options, data)
            for (expected, results) in [(single, spread), (singleAdam, spreadAdam)] {
                #expect(expected != network)
                for result in results {
                    #expect(maximumDifference(result, expected) < 1e-5, "ranks \(ranks), batch \(batchSize), shuffle \(shuffle)")
                }
                // Every rank takes the same step, so all hold the same weights bit for bit.
                #expect(results.allSatisfy { $0 == results[0] })
            }
        }
    }

    /// Dropout's masks are keyed by each sample's position in the global batch, so the ranks
    /// draw together the masks one process draws; LayerNorm is per sample.
    @Test("with Dropout and LayerNorm, N ranks still end with the weights of one process", arguments: [2, 3])
    func ranksMatchOneProcessWithDropout(ranks: Int) throws {
        let data = regressionDataset(randomMatrix(rows: 23, columns: 3, seed: 11), oneHotTargets(rows: 23, classes: 3, seed: 12))
        let network = try Network(inputSize: 3, loss: .crossEntropy, seed: 13) {
            Dense(8)
            LayerNorm()
            ActivationLayer(.tanh)
            Dropout(0.3)
            Dense(3, .softmax)
        }
        let options = TrainingOptions(batchSize: 6, epochs: 4, shuffle: true, seed: 9)
        let adam = try Adam(learningRate: 0.02)
        let single = try train(network, adam, options, data, communicator: SingleProcessCommunicator())
        let spread = try trainOnRanks(ranks, network, adam, options, data)
        #expect(single != network)
        for result in spread { #expect(maximumDifference(result, single) < 1e-5, "ranks \(ranks)") }
        #expect(spread.allSatisfy { $0 == spread[0] })
    }

    /// BatchNorm keeps per-rank batch statistics (DDP's default, not SyncBatchNorm): each rank
    /// normalises its share with the share's statistics, so N ranks differ from one process;
    /// rank 0's running statistics are sent to every rank after each step, so all hold one network.
    @Test("with BatchNorm, every rank holds rank 0's network after training")
    func batchNormRanksAgree() throws {
        let data = regressionDataset(randomMatrix(rows: 24, columns: 3, seed: 11), oneHotTargets(rows: 24, classes: 3, seed: 12))
        let network = try Network(inputSize: 3, loss: .crossEntropy, seed: 13) {
            Dense(8)
            BatchNorm()
            ActivationLayer(.relu)
            Dense(3, .softmax)
        }
        let spread = try trainOnRanks(2, network, try Adam(learningRate: 0.02), TrainingOptions(batchSize: 8, epochs: 3, seed: 9), data)
        #expect(spread[0] != network)
        #expect(spread.allSatisfy { $0 == spread[0] })
    }

    /// The in-process communicator sums in rank order whatever the buffer, so buckets must give
    /// the very bits of one allreduce; a deeper network with a Dropout and a LayerNorm layer gives
    /// buckets of several layers and layers without parameters.
    @Test("Gradients sent in buckets during the backward pass give the weights of one allreduce after it, bit for bit",
          arguments: [1, 64, 200, 1 << 20])
    func bucketsMatchOneAllreduce(bucketBytes: Int) throws {
        let data = regressionDataset(randomMatrix(rows: 23, columns: 3, seed: 11), oneHotTargets(rows: 23, classes: 3, seed: 12))
        let network = try Network(sizes: [3, 8, 6, 5, 3], hiddenActivation: .tanh, outputActivation: .softmax, loss: .crossEntropy, seed: 13)
        let whole = TrainingOptions(batchSize: 6, epochs: 3, seed: 9)
        var bucketed = whole
        bucketed.allreduceBucketBytes = bucketBytes
        let adam = try Adam(learningRate: 0.02)
        let expected = try trainOnRanks(3, network, adam, whole, data)
        let results = try trainOnRanks(3, network, adam, bucketed, data)
        #expect(expected[0] != network)
        #expect(results.allSatisfy { $0 == expected[0] }, "bucket \(bucketBytes) bytes")
    }

    @Test("Buckets are runs of whole layers from the top of the arena down, covering it once")
    func bucketLayout() throws {
        let network = try Network(sizes: [3, 8, 6, 5, 3], hiddenActivation: .tanh, outputActivation: .softmax, loss: .crossEntropy, seed: 13)
        let arena = network.arena, end = arena.count + GradientExchange.totalsCount
        for bucketFloats in [nil, 1, 40, 100, 10_000] as [Int?] {
            let exchange = GradientExchange(communicator: SingleProcessCommunicator(), arena: arena, bucketFloats: bucketFloats)
            // Contiguous from the end down to 0, each starting where a layer starts.
            #expect(exchange.buckets.first?.upperBound == end && exchange.buckets.last?.lowerBound == 0)
            for (upper, lower) in zip(exchange.buckets, exchange.buckets.dropFirst()) { #expect(upper.lowerBound == lower.upperBound) }
            for (bucket, layer) in zip(exchange.buckets, exchange.bucketLayers) where layer >= 0 {
                #expect(bucket.lowerBound == arena.layerOffsets[layer])
            }
            // Every bucket but the last reaches the size (the last takes what is left).
            if let bucketFloats { #expect(exchange.buckets.dropLast().allSatisfy { $0.count >= bucketFloats }) }
        }
        let single = GradientExchange(communicator: SingleProcessCommunicator(), arena: arena)
        #expect(single.buckets == [0..<end] && single.bucketLayers == [-1])
        let perLayer = GradientExchange(communicator: SingleProcessCommunicator(), arena: arena, bucketFloats: 1)
        #expect(perLayer.bucketLayers == Array((0..<network.kinds.count).reversed()))
    }

    @Test("Rank 0's initial weights reach every rank")
    func rootWeightsAreBroadcast() throws {
        let group = InProcessGroup(size: 3)
        let results = try runOnThreads(3) { rank in
            let network = try Network(sizes: [2, 3, 1], hiddenActivation: .relu, outputActivation: .sigmoid,
                                      loss: .binaryCrossEntropy, seed: UInt64(40 + rank))
            return try Trainer(network: network, optimizer: try SGD(learningRate: 0.1), backend: SwiftBackend(),
                               communicator: group.communicator(rank: rank)).network
        }
        let root = try Network(sizes: [2, 3, 1], hiddenActivation: .relu, outputActivation: .sigmoid, loss: .binaryCrossEntropy, seed: 40)
        #expect(results.allSatisfy { $0 == root })
    }

    @Test("step(inputs:targets:) on each rank's share (one empty) is the step on the whole batch")
    func stepOnShares() throws {
        let x = randomMatrix(rows: 5, columns: 3, seed: 31), y = oneHotTargets(rows: 5, classes: 2, seed: 32)
        let network = try Network(sizes: [3, 4, 2], hiddenActivation: .relu, outputActivation: .softmax, loss: .crossEntropy, seed: 33)
        let single = try Trainer(network: network, optimizer: try Adam(learningRate: 0.05), backend: SwiftBackend())
        let loss = try single.step(inputs: x, targets: y)
        let rows = [0..<3, 3..<5, 5..<5]
        let group = InProcessGroup(size: 3)
        let results = try runOnThreads(3) { rank in
            let trainer = try Trainer(network: network, optimizer: try Adam(learningRate: 0.05), backend: SwiftBackend(),
                                      communicator: group.communicator(rank: rank))
            let take = { (m: Matrix) in Matrix(rows: rows[rank].count, columns: m.columns,
                                               elements: Array(m.elements[(rows[rank].lowerBound * m.columns)..<(rows[rank].upperBound * m.columns)])) }
            return (try trainer.step(inputs: take(x), targets: take(y)), trainer.network)
        }
        for (rankLoss, result) in results {
            #expect(abs(rankLoss - loss) < 1e-6)
            #expect(maximumDifference(result, single.network) < 1e-6)
        }
    }

    /// How `mlp train --distributed --resume` resumes: rank 0 alone holds the checkpoint's state
    /// and sends it; the run goes on with another number of ranks and the same global batch.
    @Test("Rank 0's training state, sent to every rank, resumes on another number of ranks as if never stopped",
          arguments: [(3, 2), (2, 1), (1, 3)])
    func resumeFromRootOnOtherRanks(before: Int, after: Int) throws {
        let data = regressionDataset(randomMatrix(rows: 23, columns: 3, seed: 11), oneHotTargets(rows: 23, classes: 3, seed: 12))
        let network = try Network(sizes: [3, 6, 3], hiddenActivation: .tanh, outputActivation: .softmax, loss: .crossEntropy, seed: 13)
        let options = TrainingOptions(batchSize: 6, epochs: 3, shuffle: true, seed: 9)
        let adam = try Adam(learningRate: 0.02)
        let uninterrupted = try train(network, adam, options, data, communicator: SingleProcessCommunicator())

        let firstEpoch = TrainingOptions(batchSize: 6, epochs: 1, shuffle: true, seed: 9)
        let firstGroup = InProcessGroup(size: before)
        let states = try runOnThreads(before) { rank in
            let trainer = try Trainer(network: network, optimizer: adam, backend: SwiftBackend(), options: firstEpoch,
                                      communicator: firstGroup.communicator(rank: rank))
            try trainer.train(on: data)
            return trainer.state(afterEpoch: 1)
        }
        let group = InProcessGroup(size: after)
        let resumed = try runOnThreads(after) { rank in
            let communicator = group.communicator(rank: rank)
            let trainer = try Trainer(network: network, optimizer: adam, backend: SwiftBackend(), options: options,
                                      communicator: communicator)
            let shape = trainer.state(afterEpoch: 0)
            guard let state = communicator.broadcast(rank == 0 ? states[0] : nil, shapedLike: shape) else {
                throw TrainingError.invalidOption(name: "state", value: "nil", expected: "rank 0's state")
            }
            try trainer.resume(from: state)
            try trainer.train(on: data)
            return (state, trainer.network)
        }
        #expect(resumed.allSatisfy { $0.0 == states[0] }, "a rank received another state than rank 0's")
        #expect(states[0].memory.step == 4 && uninterrupted != network)
        for (_, result) in resumed {
            #expect(maximumDifference(result, uninterrupted) < 1e-5, "\(before) ranks, then \(after)")
        }
        #expect(resumed.allSatisfy { $0.1 == resumed[0].1 })
    }

    @Test("A root with no state to send gives nil on every rank")
    func missingStateIsNilEverywhere() throws {
        let network = try Network(sizes: [3, 4, 2], hiddenActivation: .relu, outputActivation: .softmax, loss: .crossEntropy, seed: 33)
        let shape = try Trainer(network: network, optimizer: try Adam(learningRate: 0.05), backend: SwiftBackend()).state(afterEpoch: 0)
        let group = InProcessGroup(size: 3)
        let received = try runOnThreads(3) { rank in group.communicator(rank: rank).broadcast(nil, shapedLike: shape) == nil }
        #expect(received == [true, true, true])
    }

    @Test("broadcast(bytes:) delivers rank 0's bytes, and its nil (failure) as nil")
    func bytesAndFailureAreBroadcast() throws {
        for sent in [[UInt8](0..<200), [], nil] as [[UInt8]?] {
            let group = InProcessGroup(size: 3)
            let received = try runOnThreads(3) { rank in
                group.communicator(rank: rank).broadcast(bytes: rank == 0 ? sent : [9, 9])
            }
            #expect(received.allSatisfy { $0 == sent })
        }
    }

    private func train<O: Optimizer>(_ network: Network, _ optimizer: O, _ options: TrainingOptions, _ data: Dataset,
                                     communicator: any Communicator) throws -> Network {
        let trainer = try Trainer(network: network, optimizer: optimizer, backend: SwiftBackend(), options: options,
                                  communicator: communicator)
        try trainer.train(on: data)
        return trainer.network
    }

    private func trainOnRanks<O: Optimizer>(_ ranks: Int, _ network: Network, _ optimizer: O, _ options: TrainingOptions,
                                            _ data: Dataset) throws -> [Network] {
        let group = InProcessGroup(size: ranks)
        return try runOnThreads(ranks) { rank in
            try train(network, optimizer, options, data, communicator: group.communicator(rank: rank))
        }
    }
}

private func maximumDifference(_ a: Network, _ b: Network) -> Float {
    var worst: Float = 0
    for (x, y) in zip(a.arena.values, b.arena.values) { worst = max(worst, abs(x - y)) }
    return worst
}

/// Runs `body(rank)` on `count` threads at once (all must run together: the collectives wait
/// for every rank) and returns the results in rank order.
private func runOnThreads<R: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> R) throws -> [R] {
    let results = ThreadResults<R>(), done = DispatchSemaphore(value: 0)
    for rank in 0..<count {
        let thread = Thread {
            let result = Result { try body(rank) }
            results.lock.withLock { results.values[rank] = result }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
    for _ in 0..<count { done.wait() }
    return try (0..<count).map { try results.values[$0]!.get() }
}

/// The results of ``runOnThreads(_:_:)``, filled under a lock.
private final class ThreadResults<R>: @unchecked Sendable {
    let lock = NSLock()
    var values: [Int: Result<R, any Error>] = [:]
}

/// The shared memory of N in-process ranks: a reusable barrier and one slot per rank.
final class InProcessGroup: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var arrived = 0, generation = 0
    private var slots: [[UInt8]]

    init(size: Int) {
        self.size = size
        slots = Array(repeating: [], count: size)
    }

    func communicator(rank: Int) -> InProcessCommunicator { InProcessCommunicator(group: self, rank: rank) }

    func barrier() {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
    }

    func deposit(_ bytes: UnsafeRawBufferPointer, rank: Int) { condition.withLock { slots[rank] = Array(bytes) } }
    func slot(_ rank: Int) -> [UInt8] { condition.withLock { slots[rank] } }
}

/// One rank of an ``InProcessGroup``: collectives through shared memory, summing in rank order
/// so every rank gets the same bits (as MPI_Allreduce gives).
final class InProcessCommunicator: Communicator, @unchecked Sendable {
    let group: InProcessGroup
    let rank: Int
    var size: Int { group.size }
    var secondsCommunicating: Double { 0 }

    init(group: InProcessGroup, rank: Int) {
        self.group = group
        self.rank = rank
    }

    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        group.deposit(UnsafeRawBufferPointer(buffer), rank: rank)
        group.barrier()
        let all = (0..<size).map { group.slot($0) }
        group.barrier()  // nobody deposits again before everyone has read
        for i in buffer.indices {
            var sum: Float = 0
            for bytes in all { sum += bytes.withUnsafeBytes { $0.load(fromByteOffset: i * 4, as: Float.self) } }
            buffer[i] = sum
        }
    }

    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
        if rank == root { group.deposit(UnsafeRawBufferPointer(buffer), rank: rank) }
        group.barrier()
        if rank != root { group.slot(root).withUnsafeBytes { buffer.copyMemory(from: $0) } }
        group.barrier()
    }

    func barrier() { group.barrier() }
}
