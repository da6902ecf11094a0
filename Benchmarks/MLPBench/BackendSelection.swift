import ArgumentParser
import NeuralNetwork

/// `--backends` and `--threads`, shared by the subcommands that time every backend at several
/// thread counts (`train`, `infer`).
struct BackendSelection: ParsableArguments {
    @Option(help: ArgumentHelp("Backends, comma-separated (default: swift,openblas,auto as compiled).", valueName: "b,b,..."),
            transform: { try parseList($0, BackendKind.init(rawValue:)) })
    var backends: [BackendKind]?

    @Option(help: ArgumentHelp("Thread counts, comma-separated (default: 1,2).", valueName: "t,t,..."),
            transform: { try parseList($0, Int.init) })
    var threads: [Int] = [1, 2]

    func validate() throws {
        guard threads.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads: every count must be >= 1") }
        for kind in backends ?? [] where !kind.isAvailable { throw ValidationError(BackendError.notCompiled(kind).description) }
    }

    /// The backends asked for, or every one compiled.
    var kinds: [BackendKind] { backends ?? ([.swift, .openblas, .auto].filter(\.isAvailable)) }
}
