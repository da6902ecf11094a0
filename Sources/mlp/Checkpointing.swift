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
        "After every epoch, save model, optimizer state, shuffling state and epoch in this folder (atomically).",
        valueName: "folder"))
    var checkpoint: String?

    @Option(help: ArgumentHelp(
        "Continue the run checkpointed in this folder; every option that shapes the run must be as before. Checkpoints continue there unless --checkpoint names another folder.",
        valueName: "folder"))
    var resume: String?

    /// Where this run writes its checkpoints, if anywhere.
    var folder: String? { checkpoint ?? resume }

    /// Options that cannot go with these.
    func validate(initFile: String?, patience: Int?, distributed: Bool) throws {
        if folder != nil, distributed {
            throw CommandError("--checkpoint and --resume cannot be combined with --distributed (checkpoints are single-process for now)")
        }
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

    /// Names used in messages, in the order they are compared.
    static let settingOrder = ["data", "architecture", "optimizer", "batch-size", "seed", "shuffle",
                               "validation-split", "schedule", "backend", "threads"]

    /// Everything that makes two runs' epochs compute the same numbers.
    static func settings(network: Network, optimizer: some Optimizer, options: TrainingOptions, schedule: String,
                         backend: any GEMMBackend, data: String, training: Dataset) -> [String: String] {
        [
            "data": "\(data), \(training.count) samples of \(training.featureCount) features",
            "architecture": Architecture(of: network).description,
            "optimizer": optimizer.description,
            "batch-size": "\(options.batchSize)",
            "seed": "\(options.seed)",
            "shuffle": options.shuffle ? "yes" : "no",
            "validation-split": "\(options.validationFraction)",
            "schedule": schedule,
            "backend": backend.name,
            "threads": "\(backend.threads)",
        ]
    }

    /// Before training: with `--resume`, loads the checkpoint, checks its settings and hands its
    /// state to `trainer`; without, refuses a `--checkpoint` folder that already holds one (a
    /// fresh run must not replace a run's progress). Installs the SIGINT handler when asked
    /// (not in a distributed run, whose ranks would each stop on their own).
    ///
    /// - Returns: the epoch the checkpoint was taken after (0 for a fresh run).
    func prepare<O: Optimizer>(_ trainer: Trainer<O>, handlesInterrupt: Bool = true) throws -> Int {
        var epoch = 0
        if let folder = options.resume {
            let checkpoint: Checkpoint
            do { checkpoint = try Checkpoint(contentsOfFolder: folder) } catch { throw CommandError("--resume \(error.description)") }
            for key in Self.settingOrder + settings.keys.sorted() where checkpoint.settings[key] != settings[key] {
                throw CommandError("--resume \(folder): \(key) differs: the checkpoint has '\(checkpoint.settings[key] ?? "nothing")', "
                                   + "this run '\(settings[key] ?? "nothing")' (a resumed run needs the options it was started with)")
            }
            do { try trainer.resume(from: checkpoint.state) } catch { throw CommandError("--resume \(folder): \(error.description)") }
            epoch = checkpoint.state.epoch
        } else if let folder = options.checkpoint {
            if let existing = try? Checkpoint(contentsOfFolder: folder) {
                throw CommandError("--checkpoint \(folder) already holds a checkpoint (epoch \(existing.state.epoch)); "
                                   + "continue it with --resume \(folder), or choose another folder")
            }
        }
        if handlesInterrupt { Interruption.install() }
        return epoch
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
