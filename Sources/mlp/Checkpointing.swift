import ArgumentParser
import NeuralNetwork
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--checkpoint DIR` and `--resume DIR`.
struct CheckpointOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "After every epoch, save model, optimizer state, shuffling state and epoch in this folder (atomically; with --distributed, rank 0 alone).",
        valueName: "folder"))
    var checkpoint: String?

    @Option(help: ArgumentHelp(
        "Continue the run checkpointed in this folder; every option that shapes the run must be as before (with --distributed, rank 0 reads it and any number of ranks may continue). Checkpoints continue there unless --checkpoint names another folder.",
        valueName: "folder"))
    var resume: String?

    /// Where this run writes its checkpoints, if anywhere.
    var folder: String? { checkpoint ?? resume }

    /// Options that cannot go with these.
    func validate(initFile: String?, patience: Int?) throws {
        if resume != nil, initFile != nil {
            throw CommandError("--resume and --init exclude each other: a resumed run starts from the checkpoint's weights")
        }
        if folder != nil, patience != nil {
            throw CommandError("--patience cannot be combined with --checkpoint or --resume (early stopping's state is not checkpointed)")
        }
    }
}

/// Checkpoints, resuming and Ctrl-C for one `mlp train` run.
///
/// **SIGINT.** The first Ctrl-C does not stop the process at once: it asks the trainer to stop
/// at the end of the current epoch, where the epoch's checkpoint is written as usual (with
/// `--checkpoint`); the run then ends with a one-line error and status 1, and `--save` is not
/// written (training did not finish). A second Ctrl-C terminates the process immediately
/// (the default action is restored by the first), which loses at most the epoch in progress.
struct RunCheckpoints {
    let options: CheckpointOptions
    /// The settings a resumed run must share with the checkpoint (see ``settings(...)``).
    let settings: [String: String]
    /// The folder this run writes checkpoints into, locked for the run (``prepare(_:batchesPerEpoch:communicator:)``).
    private(set) var folder: CheckpointFolder?

    init(options: CheckpointOptions, settings: [String: String]) {
        self.options = options
        self.settings = settings
    }

    /// Names used in messages, in the order they are compared.
    static let settingOrder = ["data", "architecture", "optimizer", "batch-size", "seed", "shuffle",
                               "validation-split", "schedule", "backend", "threads"]

    /// Everything that makes two runs' epochs compute the same numbers. The data is known by
    /// its file name, shape and content (``Dataset/fingerprint``, which covers the label column).
    static func settings(network: Network, optimizer: some Optimizer, options: TrainingOptions,
                         backend: any GEMMBackend, data: String, training: Dataset) -> [String: String] {
        var settings = [
            "data": "\(data), \(training.count) samples of \(training.featureCount) features, "
                + "fingerprint \(String(training.fingerprint, radix: 16))",
            "architecture": Architecture(of: network).description,
            "optimizer": optimizer.description,
            "batch-size": "\(options.batchSize)",
            "seed": "\(options.seed)",
            "shuffle": options.shuffle ? "yes" : "no",
            "validation-split": "\(options.validationFraction)",
            "schedule": options.schedule.description,
            "backend": backend.name,
            "threads": "\(backend.threads)",
        ]
        // Only when given, so that checkpoints written before --standardize existed still resume.
        if network.standardizer != nil { settings["standardize"] = "yes" }
        return settings
    }

    /// Before training: with `--resume`, loads the checkpoint, checks its settings, its epoch
    /// against `--epochs` and its optimizer step count against the data, and hands its state to
    /// `trainer`. Then locks the folder this run writes to (``CheckpointFolder``), and refuses it
    /// when it holds a checkpoint that is not this run's: any readable one for a fresh run (a
    /// fresh run must not replace a run's progress), one of other settings for `--resume A
    /// --checkpoint B`, and one it cannot read in either case. Installs the SIGINT handler in a
    /// single process (the ranks of a distributed run would each stop on their own).
    ///
    /// With several ranks this is a collective: rank 0 alone reads the checkpoint and locks the
    /// folder (it alone writes checkpoints, and the ranks' hosts need not share a file system),
    /// tells the others whether that worked, and sends them the state to resume from
    /// (``Communicator/broadcast(_:shapedLike:root:)``). The number of ranks may differ from the
    /// run that wrote the checkpoint: the global batch is what the settings fix.
    ///
    /// - Parameter batchesPerEpoch: optimizer steps per epoch of this run (its data and batch size).
    /// - Returns: the epoch the checkpoint was taken after (0 for a fresh run).
    mutating func prepare<O: Optimizer>(_ trainer: Trainer<O>, batchesPerEpoch: Int,
                                        communicator: any Communicator = SingleProcessCommunicator()) throws -> Int {
        guard communicator.size > 1 else {
            let epoch = try resume(trainer, batchesPerEpoch: batchesPerEpoch)
            try lockFolder()
            Interruption.install()
            return epoch
        }
        var failure: (any Error)?
        if communicator.isRoot {
            do {
                _ = try resume(trainer, batchesPerEpoch: batchesPerEpoch)
                try lockFolder()
            } catch { failure = error }
        }
        let agreed = communicator.broadcast(bytes: communicator.isRoot && failure == nil ? [] : nil)
        if let failure { throw failure }
        guard agreed != nil else { throw CommandError("rank 0 could not read the checkpoint or lock its folder (see its message)") }
        guard options.resume != nil else { return 0 }
        let shape = trainer.state(afterEpoch: trainer.resumedAfterEpoch)
        guard let state = communicator.broadcast(communicator.isRoot ? shape : nil, shapedLike: shape) else {
            throw CommandError("rank 0 sent no checkpoint state")
        }
        if !communicator.isRoot {
            do { try trainer.resume(from: state) } catch { throw CommandError("the checkpoint state rank 0 sent: \(error.description)") }
        }
        return state.epoch
    }

    /// With `--resume`: loads and checks the checkpoint and hands its state to `trainer`; returns its epoch (0 without `--resume`).
    private func resume<O: Optimizer>(_ trainer: Trainer<O>, batchesPerEpoch: Int) throws -> Int {
        guard let folder = options.resume else { return 0 }
        // A folder another run holds is being written: refused before any of it is read.
        if CheckpointFolder.isLocked(folder) { throw CommandError("--resume \(CheckpointFolder.busy(folder))") }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(contentsOfFolder: folder) } catch { throw CommandError("--resume \(error.description)") }
        try checkSettings(of: checkpoint, flag: "--resume \(folder):")
        let epochs = trainer.options.epochs, state = checkpoint.state
        guard state.epoch <= epochs else {
            throw CommandError("--resume \(folder): the checkpoint is after epoch \(state.epoch), but --epochs is \(epochs); "
                               + "give --epochs \(state.epoch) or more (the total, not the epochs still to run)")
        }
        let (steps, overflow) = state.epoch.multipliedReportingOverflow(by: batchesPerEpoch)
        guard !overflow, state.memory.step == steps else {
            throw CommandError("--resume \(folder): the optimizer state counts \(state.memory.step) steps, but \(state.epoch) epoch(s) "
                               + "of \(batchesPerEpoch) batches make \(overflow ? "more than 2^63" : "\(steps)"); the checkpoint is corrupt")
        }
        do { try trainer.resume(from: state) } catch { throw CommandError("--resume \(folder): \(error.description)") }
        return state.epoch
    }

    /// Locks the folder this run writes checkpoints to, if any, after checking it holds no other run's checkpoint.
    private mutating func lockFolder() throws {
        guard let path = options.folder else { return }
        // Refused before the lock file is made: a refused run leaves the folder as it was.
        let flag = options.checkpoint != nil ? "--checkpoint" : "--resume"
        if CheckpointFolder.isLocked(path) { throw CommandError("\(flag) \(CheckpointFolder.busy(path))") }
        try checkForeignCheckpoint(in: path)
        do { folder = try CheckpointFolder(lockingFolderAt: path) } catch { throw CommandError("\(flag) \(error.description)") }
        try checkForeignCheckpoint(in: path)  // another run may have written one in between
    }

    /// Throws when the folder this run writes to holds a checkpoint that is not this run's (see
    /// ``prepare(_:batchesPerEpoch:communicator:)``).
    private func checkForeignCheckpoint(in path: String) throws {
            if path != options.resume, CheckpointFolder.holdsCheckpoint(path) {
                let existing: Checkpoint
                do { existing = try Checkpoint(contentsOfFolder: path) } catch {
                    throw CommandError("--checkpoint \(path) holds a checkpoint this run cannot read (\(error.description)); "
                                       + "it is left as it is: choose another folder")
                }
                guard options.resume != nil else {
                    throw CommandError("--checkpoint \(path) already holds a checkpoint (epoch \(existing.state.epoch)); "
                                       + "continue it with --resume \(path), or choose another folder")
                }
                try checkSettings(of: existing, flag: "--checkpoint \(path) holds another run's checkpoint:")
            }
    }

    /// Throws, naming the first setting that differs, unless `checkpoint` was made with this run's settings.
    private func checkSettings(of checkpoint: Checkpoint, flag: String) throws {
        for key in Self.settingOrder + settings.keys.sorted() where checkpoint.settings[key] != settings[key] {
            throw CommandError("\(flag) \(key) differs: the checkpoint has '\(checkpoint.settings[key] ?? "nothing")', "
                               + "this run '\(settings[key] ?? "nothing")' (a resumed run needs the options it was started with)")
        }
    }

    /// After each epoch (from `onEpoch`): writes the checkpoint when asked to, and on Ctrl-C
    /// tells the trainer to stop. A failed write stops training too; the error is returned.
    func afterEpoch<O: Optimizer>(_ epoch: Int, trainer: Trainer<O>) -> CommandError? {
        var failure: CommandError?
        if let folder = options.folder {
            do {
                try Checkpoint(state: trainer.state(afterEpoch: epoch), settings: settings).write(toFolder: folder)
            } catch {
                failure = CommandError("checkpoint after epoch \(epoch): \(error.description)")
            }
        }
        if failure != nil || Interruption.isRequested { trainer.stopRequested = true }
        return failure
    }

    /// After training: the error that ends an interrupted run, if it was interrupted before its
    /// last epoch.
    func interruption(lastEpoch: Int, epochs: Int) -> CommandError? {
        guard Interruption.isRequested, lastEpoch < epochs else { return nil }
        let kept = options.folder.map { "checkpoint of epoch \(lastEpoch) in \($0); continue with --resume \($0)" }
            ?? "no checkpoint written (give --checkpoint DIR to keep progress)"
        return CommandError("interrupted (SIGINT) after epoch \(lastEpoch) of \(epochs); \(kept)")
    }
}

/// The process's SIGINT flag, set by a signal handler and read between epochs.
enum Interruption {
    private static let requested = Atomic<Bool>(false)

    /// Whether Ctrl-C was pressed since ``install()``.
    static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Installs the handler: it sets the flag, says so on standard error, and restores the
    /// default action so that a second Ctrl-C ends the process at once. It only touches a
    /// lock-free atomic and calls async-signal-safe functions (`write`, `signal`).
    ///
    /// SIGINT is also unblocked on the calling thread: a parent that starts `mlp` from a thread
    /// with signals blocked (a libdispatch worker, as test runners do) would otherwise pass the
    /// block on through `exec`, and Ctrl-C would stay pending.
    static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            Interruption.requested.store(true, ordering: .relaxed)
            let message: StaticString = "\nSIGINT: stopping after this epoch (press Ctrl-C again to quit at once)\n"
            _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
            signal(SIGINT, SIG_DFL)
        }
    }
}
