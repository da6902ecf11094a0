import RealModule

/// How the learning rate eta changes from epoch to epoch (epochs counted from 0), as a factor
/// applied to the optimizer's base rate eta0.
///
/// | case | eta at epoch e |
/// |---|---|
/// | ``constant`` | eta0 |
/// | ``stepDecay(factor:everyEpochs:)`` | eta0 factor^floor(e / every) |
/// | ``cosine(epochs:minimum:)`` | minimum + (eta0 - minimum) (1 + cos(pi min(e, E) / E)) / 2 (Loshchilov & Hutter 2017, without restarts) |
public enum LearningRateSchedule: Sendable, Hashable, CustomStringConvertible {
    /// The base rate throughout.
    case constant
    /// Multiply by `factor` every `everyEpochs` epochs.
    case stepDecay(factor: Float, everyEpochs: Int)
    /// Half a cosine from eta0 down to `minimum` over `epochs` epochs, then `minimum`.
    case cosine(epochs: Int, minimum: Float = 0)

    /// The learning rate for epoch `epoch` (from 0) given the base rate.
    public func learningRate(base: Float, epoch: Int) -> Float {
        switch self {
        case .constant:
            return base
        case .stepDecay(let factor, let every):
            return base * Float.pow(factor, epoch / max(every, 1))
        case .cosine(let epochs, let minimum):
            let total = max(epochs, 1)
            let progress = Double(min(max(epoch, 0), total)) / Double(total)
            return minimum + (base - minimum) * Float((1 + Double.cos(Double.pi * progress)) / 2)
        }
    }

    /// Parses the names ``description`` prints: `constant`, `step:FACTOR:EVERY`,
    /// `cosine:EPOCHS` or `cosine:EPOCHS:MINIMUM`.
    public init?(name: String) {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch (parts[0], parts.count) {
        case ("constant", 1):
            self = .constant
        case ("step", 3):
            guard let factor = Float(parts[1]), factor.isFinite, factor > 0, let every = Int(parts[2]), every >= 1 else { return nil }
            self = .stepDecay(factor: factor, everyEpochs: every)
        case ("cosine", 2), ("cosine", 3):
            guard let epochs = Int(parts[1]), epochs >= 1 else { return nil }
            let minimum = parts.count == 3 ? Float(parts[2]) : 0
            guard let minimum, minimum.isFinite, minimum >= 0 else { return nil }
            self = .cosine(epochs: epochs, minimum: minimum)
        default:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .constant: "constant"
        case .stepDecay(let factor, let every): "step:\(factor):\(every)"
        case .cosine(let epochs, let minimum): minimum == 0 ? "cosine:\(epochs)" : "cosine:\(epochs):\(minimum)"
        }
    }
}
