import ArgumentParser
import NeuralNetwork
import SVGChart

/// `mlp train`: fits a network to data by mini-batch gradient descent.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network on a data set (the built-in two spirals when --data is absent).",
        discussion: """
            With --init FILE and --no-shuffle a run is reproducible by any other implementation: \
            the defaults add nothing the flags do not say (no validation split, plain SGD with no \
            momentum and no weight decay when --optimizer sgd, the last smaller batch used, the \
            gradient the mean over the batch).
            """)

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var architectureOptions: ArchitectureOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var checkpointOptions: CheckpointOptions

    @Option(help: "Update rule.")
    var optimizer = OptimizerKind.adam
    @Option(parsing: .unconditional, help: "Learning rate eta (default: the optimizer's own, 0.001 for adam; 0.01 on the built-in spirals).")
    var learningRate: Float?
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Samples per mini-batch (default 128; 32 on the built-in spirals).")
    var batchSizeOption: Int?
    @Option(name: .customLong("epochs"), parsing: .unconditional, help: "Passes over the training data (default 10; 50 on the built-in spirals).")
    var epochsOption: Int?
    @Option(parsing: .unconditional, help: "Seed of the initial weights and of the shuffling.")
    var seed: UInt64 = 1
    @Option(help: "Weight initializer.")
    var initializer = Initializer.xavierUniform
    @Option(name: .customLong("init"), help: "Start from the weights in this safetensors file instead of random ones.")
    var initFile: String?
    @Option(help: "Save the trained model here (safetensors), only after training succeeded.")
    var save: String?
    @Flag(help: "Take the mini-batches in file order instead of shuffling each epoch.")
    var noShuffle = false
    @Option(parsing: .unconditional, help: "The last fraction of the training data held out for validation.")
    var validationSplit = 0.0
    @Flag(help: "Standardize each feature as (x - mean) / std, fitted on the training rows only (population std; 1 for a constant feature); saved in the model, applied by predict and evaluate (replaces an --init file's).")
    var standardize = false
    @Option(parsing: .unconditional, help: "L2 weight decay lambda (AdamW: decoupled decay; default 0.01 there, 0 elsewhere).")
    var weightDecay: Float?
    @Option(parsing: .unconditional, help: "Stop after this many epochs without a lower validation (or training) loss.")
    var patience: Int?
    @Option(help: """
        Learning-rate schedule: step multiplies the rate by FACTOR every EVERY epochs; cosine anneals it \
        to MINIMUM (0) over EPOCHS epochs, all of the run's unless given.
        """)
    var schedule = ScheduleArgument.fixed(.constant)
    @Option(help: "Draw the learning curves (loss and accuracy per epoch) to this SVG file.")
    var plot: String?
    @Option(help: "For 2-D inputs: draw the decision regions to this SVG file.")
    var plotBoundary: String?
    @Flag(help: "Print one JSON object per epoch on standard output.")
    var json = false
    @Flag(help: "Run every product on two backends and report their largest differences per layer and equation.")
    var verify = false
    @Flag(help: "Data-parallel training over MPI: run as `mpirun -np N mlp train --distributed ...` (mlp built with --traits MPI).")
    var distributed = false
    @Option(help: "With --distributed: seconds a rank waits for the others in one collective before it stops with an error (a host or its network gone).")
    var distributedTimeout = 120.0
    @Option(name: .customLong("allreduce-bucket"), parsing: .unconditional, help: ArgumentHelp(
        "With --distributed: gradients go out in buckets of at least this many KiB while the backward pass goes on; 0 sends them all in one allreduce after it (default \(DistributedRun.defaultBucketKiB)).",
        valueName: "KiB"))
    var allreduceBucket: Int?

    /// The built-in two-spirals set is small (1000 points) and wants more, smaller steps than
    /// an image set: its defaults differ, and any flag given wins.
    var onSpirals: Bool { dataOptions.data == nil }
    var batchSize: Int { batchSizeOption ?? (onSpirals ? 32 : 128) }
    var epochs: Int { epochsOption ?? (onSpirals ? 50 : 10) }
    var effectiveLearningRate: Float? { learningRate ?? (onSpirals && optimizer == .adam ? 0.01 : nil) }

    func validate() throws {
        guard batchSize >= 1 else { throw CommandError("--batch-size must be at least 1, got \(batchSize)") }
        guard epochs >= 1 else { throw CommandError("--epochs must be at least 1, got \(epochs)") }
        if let learningRate, !(learningRate.isFinite && learningRate >= 0) {
            throw CommandError("--learning-rate must be a finite number >= 0, got \(learningRate)")
        }
        if let weightDecay, !(weightDecay.isFinite && weightDecay >= 0) {
            throw CommandError("--weight-decay must be a finite number >= 0, got \(weightDecay)")
        }
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw CommandError("--validation-split must be in [0, 1), got \(validationSplit)")
        }
        if let patience, patience < 1 { throw CommandError("--patience must be at least 1, got \(patience)") }
        if compute.threads != nil { _ = try compute.threadCount() }
        guard distributedTimeout > 0 && distributedTimeout <= 86_400 else {
            throw CommandError("--distributed-timeout must be in (0, 86400] seconds, got \(distributedTimeout)")
        }
        if distributed && verify { throw CommandError("--verify cannot be combined with --distributed") }
        try DistributedRun.validateBucket(allreduceBucket, distributed: distributed)
        try checkpointOptions.validate(initFile: initFile, patience: patience)
    }

    func run() throws {
        let communicator = try DistributedRun.communicator(distributed: distributed, timeout: distributedTimeout)
        try DistributedRun.naming(communicator) {
            let session = try TrainingSession(command: self, communicator: communicator)
            try session.run()
        }
        DistributedRun.finish(communicator)
    }
}

/// Everything one `mlp train` run loads and builds, then the run itself.
struct TrainingSession {
    let command: Train
    let training: Dataset
    let test: Dataset?
    let network: Network
    let backend: any GEMMBackend
    let checker: CheckingBackend?
    let communicator: any Communicator

    init(command: Train, communicator: any Communicator = SingleProcessCommunicator()) throws {
        self.command = command
        self.communicator = communicator
        let architectureFlags = command.architectureOptions
        let givenSizes = try architectureFlags.sizes()

        // Data first: its shape supplies the sizes the flags leave open.
        if command.dataOptions.data != nil {
            (training, test) = try command.dataOptions.load(classCount: givenSizes?.last)
        } else {
            training = Dataset.twoSpirals(count: 1000, noise: 0.02, seed: 7)
            test = nil
        }
        let defaultSizes = [training.featureCount, 64, 64, training.targetWidth]
        let regression = training.labels == nil
        let held = training.validationCount(fraction: command.validationSplit)
        guard held < training.count else {
            throw CommandError("--validation-split \(command.validationSplit) holds out all \(training.count) samples; none are left to train on")
        }

        // With several ranks, rank 0 alone initialises or reads --init, and sends the network to the others.
        network = try DistributedRun.fromRoot(communicator) { [training] in
            var network: Network
            if let initFile = command.initFile {
                let architecture = architectureFlags.isGiven ? try architectureFlags.architecture(defaultSizes: defaultSizes, regression: regression) : nil
                network = try Network(contentsOfFile: initFile, architecture: architecture)
                try Self.check(network.sizes, against: training, what: "the --init file \(initFile)")
            } else {
                let architecture = try architectureFlags.architecture(defaultSizes: defaultSizes, regression: regression)
                try Self.check(architecture.sizes, against: training, what: "--layers")
                network = try architecture.makeNetwork(initializer: command.initializer, seed: command.seed)
            }
            if command.standardize {
                // The trainer's own rows: the validation rows it holds out (the last ones) are not fitted.
                let trainingRows = 0..<(training.count - held)
                try network.setStandardizer(try Standardizer(fittedTo: training, samples: trainingRows))
            }
            return network
        }

        if let test { try Self.check(network.sizes, against: test, what: "the network (for the test set)") }
        try OutputFiles.check(command, training: training)
        let primary = try DistributedRun.compute(command.compute, communicator).make()
        if command.verify {
            let other: BackendKind = primary.name == "swift" ? (BackendKind.isOpenBLASCompiled ? .openblas : .reference) : .swift
            let checker = CheckingBackend(primary: primary, reference: try other.make(threads: primary.threads))
            self.checker = checker
            backend = checker
        } else {
            checker = nil
            backend = primary
        }
    }

    /// The network's input and output sizes must be the data's feature and target widths.
    static func check(_ sizes: [Int], against data: Dataset, what: String) throws {
        if sizes.first != data.featureCount {
            throw CommandError("\(what) starts with \(sizes.first ?? 0) inputs, but the data has \(data.featureCount) features")
        }
        if sizes.last != data.targetWidth {
            let targets = data.labels != nil ? "\(data.targetWidth) classes" : "\(data.targetWidth) target columns"
            throw CommandError("\(what) ends with \(sizes.last ?? 0) outputs, but the data has \(targets)")
        }
    }

    func run() throws {
        let optimizer = try command.optimizer.make(learningRate: command.effectiveLearningRate, weightDecay: command.weightDecay)
        let options = TrainingOptions(batchSize: command.batchSize, epochs: command.epochs, shuffle: !command.noShuffle,
                                      seed: command.seed, validationFraction: command.validationSplit,
                                      patience: command.patience, restoresBestNetwork: command.patience != nil,
                                      schedule: command.schedule.schedule(epochs: command.epochs),
                                      allreduceBucketBytes: DistributedRun.bucketBytes(kibibytes: command.allreduceBucket))
        try train(with: optimizer, options: options)
    }

    /// Trains with the optimizer's concrete type (the trainer is generic over it).
    private func train<O: Optimizer>(with optimizer: O, options: TrainingOptions) throws {
        let trainer = try Trainer(network: network, optimizer: optimizer, backend: backend, options: options, communicator: communicator)
        let isRoot = communicator.isRoot, communicatingBefore = communicator.secondsCommunicating
        var checkpoints = RunCheckpoints(options: command.checkpointOptions, settings: RunCheckpoints.settings(
            network: network, optimizer: optimizer, options: options, backend: backend,
            data: command.dataOptions.data.map { String($0.split(separator: "/").last ?? "") } ?? "built-in two spirals",
            training: training))
        // Ctrl-C stops after the epoch only in a single process (ranks would have to agree on it);
        // with several ranks, rank 0 alone reads the checkpoint, sends its state, and writes checkpoints.
        let trainingRows = training.count - training.validationCount(fraction: options.validationFraction)
        let batchRows = max(min(options.batchSize, trainingRows), 1)
        let resumedEpoch = try checkpoints.prepare(trainer, batchesPerEpoch: (trainingRows + batchRows - 1) / batchRows,
                                                   communicator: communicator)
        let stepsBefore = trainer.memory.step
        var checkpointFailure: CommandError?, reportFailure: CommandError?
        // Regression: MSE, MAE and R^2 per epoch on the same training and validation rows as the trainer's.
        let regressionParts: (training: Dataset, validation: Dataset?)? = training.labels != nil ? nil
            : options.validationFraction > 0 ? { let (t, v) = training.splitValidation(fraction: options.validationFraction); return (t, v) }()
            : (training, nil)
        var log = TrainingLog(json: command.json, epochs: command.epochs)
        if !command.json, isRoot, resumedEpoch > 0 {
            writeToStandardError("resuming from \(command.checkpointOptions.resume ?? "") after epoch \(resumedEpoch)\n")
        }
        if !command.json && isRoot {
            writeToStandardError("training \(Architecture(of: network)) on \(training.count) samples"
                                 + (network.standardizer != nil ? " (standardized)" : "") + " with \(optimizer), "
                                 + "backend \(backend.name), \(backend.threads) thread(s)"
                                 + DistributedRun.note(communicator, batchSize: options.batchSize) + "\n")
        }
        var progress = ProgressBar()
        let history = try trainer.train(
            on: training,
            onBatch: { report in
                DistributedRun.injectFault(communicator, step: trainer.memory.step)
                guard isRoot else { return }
                let left = Double(report.batchCount - report.batch) * Double(options.batchSize)
                    + Double(options.epochs - report.epoch) * Double(training.count)
                progress.update(epoch: report.epoch, epochs: options.epochs, batch: report.batch, batches: report.batchCount,
                                loss: Double(report.loss), samplesPerSecond: report.samplesPerSecond,
                                secondsLeft: report.samplesPerSecond > 0 ? left / report.samplesPerSecond : 0)
            },
            onEpoch: { report in
                guard isRoot else { return }
                progress.finishLine()
                var testResult: Evaluation?, figures: TrainingLog.RegressionFigures?
                do {
                    testResult = try test.map { try trainer.evaluate($0) }
                    figures = try regressionParts.map { parts in
                        TrainingLog.RegressionFigures(
                            training: try trainer.network.regressionMetrics(on: parts.training, backend: backend)!,
                            validation: try parts.validation.flatMap { try trainer.network.regressionMetrics(on: $0, backend: backend) },
                            test: try test.flatMap { try trainer.network.regressionMetrics(on: $0, backend: backend) })
                    }
                } catch {
                    reportFailure = reportFailure ?? CommandError("after epoch \(report.epoch): \(error)")
                    trainer.stopRequested = true
                }
                log.record(report, test: testResult, regression: figures)
                checkpointFailure = checkpointFailure ?? checkpoints.afterEpoch(report.epoch, trainer: trainer)
                ResidentMemory.log(epoch: report.epoch)
            })
        if let checkpointFailure { throw checkpointFailure }
        if let reportFailure { throw reportFailure }
        let lastEpoch = history.epochs.last?.epoch ?? resumedEpoch
        if let interruption = checkpoints.interruption(lastEpoch: lastEpoch, epochs: options.epochs) { throw interruption }
        let trained = trainer.network
        // Every rank gets past this only once all have finished training: nothing is saved after a rank died.
        try DistributedRun.conclude(training: history, network: trained, communicator: communicator,
                                    communicatingBefore: communicatingBefore, steps: trainer.memory.step - stepsBefore,
                                    buckets: trainer.allreduceBucketCount)
        guard isRoot else { return }

        if let finalTest = log.rows.last?.test {
            let accuracy = finalTest.accuracy.map { " accuracy \(format($0, digits: 4))" } ?? ""
            writeToStandardError("test:\(accuracy) loss \(format(finalTest.loss, digits: 4)) on \(finalTest.count) samples\n")
        }
        if history.stoppedEarly {
            writeToStandardError("stopped early after epoch \(history.epochs.count); best epoch \(history.bestEpoch)\n")
        }
        if let checker { try VerifyReport(checker: checker, network: trained, data: training, batchSize: options.batchSize).print() }
        if let plot = command.plot { try log.learningCurves().write(to: plot) }
        if let path = command.plotBoundary { try DecisionBoundary(network: trained, data: training, backend: backend).write(to: path) }
        if let save = command.save {
            try trained.save(toFile: save)
            writeToStandardError("saved \(save)\n")
        }
    }
}
