/// How a ``Trainer`` runs: batch size, epochs, order, validation and stopping.
///
/// The defaults add nothing that is not asked for: file order only when `shuffle` is false,
/// no validation split, no early stopping, a constant learning rate, and the last smaller
/// batch of an epoch is used, not dropped.
public struct TrainingOptions: Sendable, Hashable {
    /// Samples per mini-batch (the last batch of an epoch may be smaller).
    public var batchSize: Int
    /// Passes over the training data.
    public var epochs: Int
    /// Whether each epoch visits the samples in an order drawn from ``seed``; false keeps
    /// file order, so a run can be reproduced by any other implementation.
    public var shuffle: Bool
    /// Seed of the shuffling stream (independent of the network's initialisation seed).
    public var seed: UInt64
    /// The last fraction of the data (in file order) held out for validation, in [0, 1).
    public var validationFraction: Double
    /// Stop after this many epochs without a lower monitored loss (validation loss when there
    /// is a validation set, training loss otherwise); nil never stops early.
    public var patience: Int?
    /// When stopping early, whether to return to the network of the best epoch.
    public var restoresBestNetwork: Bool
    /// The learning rate per epoch, scaling the optimizer's base rate.
    public var schedule: LearningRateSchedule
    /// With several ranks: the size in bytes at which the gradients are cut into buckets that are
    /// sent while the backward pass goes on (`GradientExchange`); nil sends them all in one
    /// allreduce after the backward pass. Either way the sums are the same.
    public var allreduceBucketBytes: Int?

    /// Options; every default is listed in the signature (and validated by ``Trainer``).
    public init(batchSize: Int = 32, epochs: Int = 10, shuffle: Bool = true, seed: UInt64 = 1,
                validationFraction: Double = 0, patience: Int? = nil, restoresBestNetwork: Bool = false,
                schedule: LearningRateSchedule = .constant, allreduceBucketBytes: Int? = nil) {
        self.batchSize = batchSize
        self.epochs = epochs
        self.shuffle = shuffle
        self.seed = seed
        self.validationFraction = validationFraction
        self.patience = patience
        self.restoresBestNetwork = restoresBestNetwork
        self.schedule = schedule
        self.allreduceBucketBytes = allreduceBucketBytes
    }
}

/// Why training could not start or had to stop.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// An option out of range: `name`, its value, what is allowed.
    case invalidOption(name: String, value: String, expected: String)
    /// The loss turned NaN or infinite at this epoch and batch (both counted from 1).
    case nonFiniteLoss(epoch: Int, batch: Int, loss: Float)
    /// The data does not fit the network.
    case network(NetworkError)

    public var description: String {
        switch self {
        case .invalidOption(let name, let value, let expected): "\(name) must be \(expected), got \(value)"
        case .nonFiniteLoss(let epoch, let batch, let loss):
            "training stopped: the loss became \(loss) at epoch \(epoch), batch \(batch) (try a smaller learning rate)"
        case .network(let error): error.description
        }
    }
}

/// Progress after one mini-batch, for a progress display.
public struct BatchReport: Sendable, Equatable {
    /// Epoch (from 1).
    public var epoch: Int
    /// Batch within the epoch (from 1) and the epoch's batch count.
    public var batch: Int, batchCount: Int
    /// Samples in this batch.
    public var samples: Int
    /// The batch's mean loss before the update.
    public var loss: Float
    /// The batch's accuracy before the update, when accuracy applies.
    public var accuracy: Double?
    /// Training throughput of the epoch so far.
    public var samplesPerSecond: Double
}

/// The summary of one epoch.
public struct EpochReport: Sendable, Equatable {
    /// Epoch (from 1).
    public var epoch: Int
    /// The learning rate used during the epoch.
    public var learningRate: Float
    /// Mean over the epoch's samples of each batch's loss before its update.
    public var trainingLoss: Double
    /// Likewise for accuracy, when it applies.
    public var trainingAccuracy: Double?
    /// Loss and accuracy on the validation set after the epoch, if there is one.
    public var validation: Evaluation?
    /// Wall-clock seconds the epoch's training steps took.
    public var seconds: Double
    /// Training samples per second.
    public var samplesPerSecond: Double
}

/// The epochs of a run and how it ended.
public struct TrainingHistory: Sendable, Equatable {
    /// One report per epoch run.
    public var epochs: [EpochReport]
    /// Whether early stopping ended the run before the last epoch.
    public var stoppedEarly: Bool
    /// The epoch (from 1) with the lowest monitored loss.
    public var bestEpoch: Int
}

/// Trains a ``Network`` by mini-batch gradient descent with an ``Optimizer``.
///
/// Per step: copy the batch into the ``Workspace``, forward, loss, backward (three GEMMs per
/// layer through ``backend``), then the optimizer's rule over every parameter. The workspace
/// is allocated on the first step for the batch size and reused, the shuffled order array
/// once per ``train(on:onBatch:onEpoch:)``, so steps after the first allocate nothing.
///
/// A trainer is used from one thread; its ``network`` is a value and can be handed on.
public final class Trainer<O: Optimizer> {
    /// The network as trained so far.
    public internal(set) var network: Network
    /// The update rule.
    public let optimizer: O
    /// The rule's per-parameter state (checkpointable).
    public var memory: OptimizerMemory
    /// The GEMM backend every product goes through.
    public let backend: any GEMMBackend
    /// How training runs.
    public let options: TrainingOptions
    /// The shuffling stream; capture and restore it to resume a run exactly.
    public var generator: SeededGenerator
    /// The ranks training together (one, ``SingleProcessCommunicator``, unless given): with
    /// several, each rank steps on its ``Communicator/share(of:)`` of every global batch and
    /// the gradients are averaged over the global batch (`GradientExchange`) before the update.
    public let communicator: any Communicator
    private let exchange: GradientExchange?
    /// Allreduces per step with several ranks: the buckets cut by
    /// ``TrainingOptions/allreduceBucketBytes`` (1 without); 0 with one rank.
    public var allreduceBucketCount: Int { exchange?.buckets.count ?? 0 }
    /// Epochs already run before this trainer took over: 0, or k after ``resume(from:)`` with
    /// the state of epoch k (see Trainer+Checkpoint.swift).
    public internal(set) var resumedAfterEpoch = 0
    /// Set it (from `onEpoch`, say on SIGINT) to end ``train(on:onBatch:onEpoch:)`` after the
    /// current epoch; the history then ends with that epoch. It stays set until cleared.
    public var stopRequested = false
    private var workspace: Workspace?
    /// Whether the network has tensors the optimizer does not update (running statistics).
    private lazy var hasUntrainedTensors = network.arena.entries.contains { !$0.declaration.isTrainable }

    /// A trainer for `network`.
    ///
    /// With a `communicator` of several ranks this is a collective call: every rank makes its
    /// trainer at the same point, and all take rank 0's parameters (the other ranks' `network`
    /// gives only the shapes).
    ///
    /// - Throws: ``TrainingError/invalidOption(name:value:expected:)`` for a batch size or epoch
    ///   count below 1, a validation fraction outside [0, 1), or a negative patience.
    public init(network: Network, optimizer: O, backend: any GEMMBackend, options: TrainingOptions = TrainingOptions(),
                communicator: any Communicator = SingleProcessCommunicator()) throws(TrainingError) {
        guard options.batchSize >= 1 else { throw .invalidOption(name: "batchSize", value: "\(options.batchSize)", expected: "at least 1") }
        guard options.epochs >= 1 else { throw .invalidOption(name: "epochs", value: "\(options.epochs)", expected: "at least 1") }
        guard options.validationFraction >= 0 && options.validationFraction < 1 else {
            throw .invalidOption(name: "validationFraction", value: "\(options.validationFraction)", expected: "in [0, 1)")
        }
        if let patience = options.patience, patience < 1 {
            throw .invalidOption(name: "patience", value: "\(patience)", expected: "at least 1")
        }
        if let bytes = options.allreduceBucketBytes, bytes < 1 {
            throw .invalidOption(name: "allreduceBucketBytes", value: "\(bytes)", expected: "at least 1, or nil for one allreduce")
        }
        self.network = network
        self.optimizer = optimizer
        self.memory = OptimizerMemory(for: optimizer, network: network)
        self.backend = backend
        self.options = options
        self.generator = SeededGenerator(seed: options.seed)
        self.communicator = communicator
        exchange = communicator.size > 1
            ? GradientExchange(communicator: communicator, arena: network.arena,
                               bucketFloats: options.allreduceBucketBytes.map { max(1, $0 / 4) })
            : nil
        communicator.broadcastParameters(of: &self.network)
    }

    private func workspace(rows: Int) -> Workspace {
        if let workspace, workspace.fits(network, rows: rows) { return workspace }
        // Sized by the rows actually stepped (train passes min(batch size, data rows)), never by
        // the flag alone: --batch-size 2,000,000 on 200 rows allocates for 200.
        let fresh = Workspace(for: network, capacity: max(rows, 1))
        workspace = fresh
        return fresh
    }

    /// One gradient step on one batch: forward, backward, update. Returns the batch's mean
    /// loss before the update. With several ranks, every rank calls it with its own share (an
    /// empty one included) and the step and the loss are those of all the shares together.
    ///
    /// - Throws: ``TrainingError`` when the batch does not fit the network, or
    ///   ``TrainingError/nonFiniteLoss(epoch:batch:loss:)`` (epoch 1, batch = this step's number
    ///   counted from 1) when the loss is not finite; the network is then left unchanged.
    @discardableResult
    public func step(inputs: Matrix, targets: Matrix, learningRate: Float? = nil) throws(TrainingError) -> Float {
        do { try network.checkBatch(inputs: inputs, targets: targets) } catch { throw .network(error) }
        let n = inputs.rows
        guard n > 0 || exchange != nil else { return 0 }  // with several ranks, an empty share still takes part
        let workspace = workspace(rows: n)
        let totals = workspace.withBatch(inputs, targets) {
            stepLoaded(workspace, rows: n, sampleOffset: 0, learningRate: learningRate ?? optimizer.learningRate)
        }
        let loss = Float(totals.lossSum / Double(max(totals.rows, 1)))
        guard loss.isFinite else { throw .nonFiniteLoss(epoch: 1, batch: memory.step + 1, loss: loss) }
        return loss
    }

    /// Forward, loss sum (and correct count), backward and update on the `n` rows already in
    /// the workspace. With several ranks the gradients and figures are first summed over all
    /// ranks (``GradientExchange``), so the update and the returned totals cover the global batch.
    ///
    /// The random numbers of the step (Dropout's masks) are keyed by the options' seed, the
    /// step's number and each sample's position in the global batch (`sampleOffset` is this
    /// rank's first), so they do not depend on the thread count or the number of ranks, and a
    /// resumed run draws what the uninterrupted one drew.
    private func stepLoaded(_ workspace: Workspace, rows n: Int, sampleOffset: Int, learningRate: Float,
                            countingCorrect: Bool = false) -> StepTotals {
        var totals = StepTotals(lossSum: 0, correct: 0, rows: n)
        let random = RandomStream(seed: options.seed, step: UInt64(memory.step + 1), sampleOffset: sampleOffset)
        if n > 0 {
            network.forward(workspace, rows: n, backend: backend, phase: .training, random: random)
            totals.lossSum = network.lossSum(workspace, rows: n)
            // The outputs are those of the forward pass before the update.
            if countingCorrect { totals.correct = network.correctCount(workspace, rows: n) }
        }
        // Every rank takes part whatever its loss, so none waits forever; a non-finite loss
        // anywhere makes the global sum non-finite and no rank updates. The exchange starts
        // sending gradients while the backward pass goes on (GradientExchange's buckets).
        exchange?.begin(workspace, totals)
        if n > 0 && totals.lossSum.isFinite {
            network.backward(workspace, rows: n, backend: backend, random: random) { layer in
                exchange?.finished(layer: layer, workspace)
            }
        }
        if let exchange { totals = exchange.finish(workspace) }
        guard totals.lossSum.isFinite, totals.rows > 0 else { return totals }
        memory.apply(optimizer, to: &network, workspace: workspace, learningRate: learningRate)
        // BatchNorm keeps per-rank batch statistics (as DDP does by default): each rank's
        // running statistics follow its own shares, so rank 0's are sent to all after the step.
        if exchange != nil && hasUntrainedTensors { communicator.broadcastUntrainedTensors(of: &network) }
        return totals
    }

    /// Trains on `dataset` for ``TrainingOptions/epochs`` epochs (less when stopping early).
    ///
    /// The last ``TrainingOptions/validationFraction`` of the samples is held out first
    /// (`Dataset.splitValidation(fraction:)`); each epoch visits the rest in mini-batches,
    /// shuffled from the seed or in file order, the last smaller batch included.
    ///
    /// - Parameters:
    ///   - dataset: the samples to train on (and to hold the validation part out of).
    ///   - onBatch: called after every batch (loss, accuracy, samples/s).
    ///   - onEpoch: called after every epoch with its summary.
    /// - Throws: ``TrainingError/nonFiniteLoss(epoch:batch:loss:)`` naming epoch and batch when the
    ///   loss turns NaN or infinite (the failing batch makes no update: the network is left as the
    ///   previous step made it);
    ///   ``TrainingError/network(_:)`` when the data does not fit the network.
    @discardableResult
    public func train(
        on dataset: Dataset,
        onBatch: ((BatchReport) -> Void)? = nil,
        onEpoch: ((EpochReport) -> Void)? = nil
    ) throws(TrainingError) -> TrainingHistory {
        do { try network.checkDataset(dataset) } catch { throw .network(error) }
        let (training, validation) = options.validationFraction > 0
            ? dataset.splitValidation(fraction: options.validationFraction) : (dataset, nil)
        let count = training.count
        var history = TrainingHistory(epochs: [], stoppedEarly: false, bestEpoch: 0)
        guard count > 0 else { return history }
        let workspace = workspace(rows: min(options.batchSize, count))
        let batchSize = min(options.batchSize, count)
        let batchCount = (count + batchSize - 1) / batchSize
        let accuracyApplies = network.reportsAccuracy(on: training)
        guard let remaining = CheckedSize.product(max(options.epochs - resumedAfterEpoch, 0), batchCount),
              CheckedSize.sum(memory.step, remaining) != nil else {
            throw .invalidOption(name: "optimizer step", value: "\(memory.step)",
                                 expected: "a count that \(options.epochs - resumedAfterEpoch) more epochs of \(batchCount) batches cannot overflow")
        }
        var order = Array(0..<count)
        if resumedAfterEpoch > 0 { try restoreOrder(&order) }
        var bestLoss = Double.infinity, bestNetwork: Network?, epochsWithoutImprovement = 0
        let clock = ContinuousClock()

        for epoch in stride(from: resumedAfterEpoch + 1, through: options.epochs, by: 1) {
            if options.shuffle { generator.shuffle(&order) }
            let learningRate = options.schedule.learningRate(base: optimizer.learningRate, epoch: epoch - 1)
            let started = clock.now
            var lossSum = 0.0, correct = 0, seen = 0
            for batch in 0..<batchCount {
                let start = batch * batchSize, rows = min(batchSize, count - start)
                let share = communicator.share(of: start..<(start + rows))
                training.copyBatch(order[share], inputs: workspace.inputs, targets: workspace.targets)
                let totals = stepLoaded(workspace, rows: share.count, sampleOffset: share.lowerBound - start,
                                        learningRate: learningRate, countingCorrect: accuracyApplies)
                let batchLoss = totals.lossSum
                guard batchLoss.isFinite else {
                    throw .nonFiniteLoss(epoch: epoch, batch: batch + 1, loss: Float(batchLoss / Double(rows)))
                }
                lossSum += batchLoss
                seen += rows
                let batchCorrect = totals.correct
                correct += batchCorrect
                if let onBatch {
                    onBatch(BatchReport(
                        epoch: epoch, batch: batch + 1, batchCount: batchCount, samples: rows,
                        loss: Float(batchLoss / Double(rows)),
                        accuracy: accuracyApplies ? Double(batchCorrect) / Double(rows) : nil,
                        samplesPerSecond: Self.rate(seen, since: started, clock: clock)))
                }
            }
            let seconds = Self.seconds(clock.now - started)
            let validationResult = validation.flatMap { $0.count > 0 ? network.evaluate($0, workspace: workspace, backend: backend) : nil }
            let report = EpochReport(
                epoch: epoch, learningRate: learningRate, trainingLoss: lossSum / Double(count),
                trainingAccuracy: accuracyApplies ? Double(correct) / Double(count) : nil,
                validation: validationResult, seconds: seconds,
                samplesPerSecond: Self.rate(count, since: started, clock: clock))
            history.epochs.append(report)
            onEpoch?(report)

            let monitored = validationResult?.loss ?? report.trainingLoss
            if monitored < bestLoss {
                bestLoss = monitored
                history.bestEpoch = epoch
                epochsWithoutImprovement = 0
                if options.restoresBestNetwork && options.patience != nil { bestNetwork = network }
            } else {
                epochsWithoutImprovement += 1
                if let patience = options.patience, epochsWithoutImprovement >= patience, epoch < options.epochs {
                    history.stoppedEarly = true
                    if let bestNetwork { network = bestNetwork }
                    break
                }
            }
            if stopRequested { break }
        }
        return history
    }

    /// Loss and accuracy of the current network over `dataset`, in the trainer's batch size
    /// and backend.
    public func evaluate(_ dataset: Dataset) throws(TrainingError) -> Evaluation {
        do { return try network.evaluate(dataset, batchSize: options.batchSize, backend: backend) } catch { throw .network(error) }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (s, attoseconds) = duration.components
        return Double(s) + Double(attoseconds) * 1e-18
    }

    private static func rate(_ samples: Int, since start: ContinuousClock.Instant, clock: ContinuousClock) -> Double {
        let elapsed = seconds(clock.now - start)
        return elapsed > 0 ? Double(samples) / elapsed : 0
    }
}
