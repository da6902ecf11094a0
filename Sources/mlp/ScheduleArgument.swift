import ArgumentParser
import NeuralNetwork

/// `--schedule`: a ``LearningRateSchedule`` by the name its `description` prints, or `cosine`
/// alone, half a cosine over all the epochs of the run.
enum ScheduleArgument: CaseIterable, CustomStringConvertible, ExpressibleByArgument {
    /// A schedule that does not depend on the run's length.
    case fixed(LearningRateSchedule)
    /// `cosine`: from the base rate down to 0 over `--epochs` epochs.
    case cosineOverRun

    /// One of each form, in the order help texts list them.
    static let allCases: [ScheduleArgument] = [
        .fixed(.constant), .fixed(.stepDecay(factor: 0.5, everyEpochs: 10)), .cosineOverRun, .fixed(.cosine(epochs: 10)),
    ]

    init?(argument: String) {
        if argument == "cosine" {
            self = .cosineOverRun
        } else {
            guard let schedule = LearningRateSchedule(name: argument) else { return nil }
            self = .fixed(schedule)
        }
    }

    /// The schedule of a run of `epochs` epochs.
    func schedule(epochs: Int) -> LearningRateSchedule {
        switch self {
        case .fixed(let schedule): schedule
        case .cosineOverRun: .cosine(epochs: epochs)
        }
    }

    var description: String {
        switch self {
        case .fixed(let schedule): schedule.description
        case .cosineOverRun: "cosine"
        }
    }

    /// `constant`, `step:FACTOR:EVERY`, `cosine`, `cosine:EPOCHS[:MINIMUM]`.
    static var allValueStrings: [String] {
        allCases.map { value in
            switch value {
            case .fixed(.constant): "constant"
            case .fixed(.stepDecay): "step:FACTOR:EVERY"
            case .fixed(.cosine): "cosine:EPOCHS[:MINIMUM]"
            case .cosineOverRun: "cosine"
            }
        }
    }

    static var defaultCompletionKind: CompletionKind { .list(allCases.map(\.description)) }
}
