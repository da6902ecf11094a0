import ArgumentParser
import NeuralNetwork

/// `--optimizer`: the update rules by their command-line names, simplest first.
enum OptimizerKind: String, CaseIterable, ExpressibleByArgument {
    case sgd, momentum, nesterov, rmsprop, adam, adamw

    /// The rule with its defaults, except the learning rate and the weight decay when given
    /// (AdamW's decay is 0.01 unless given, every other rule's 0).
    func make(learningRate: Float?, weightDecay: Float?) throws(OptimizerError) -> any Optimizer {
        switch self {
        case .sgd:
            try SGD(learningRate: learningRate ?? SGD.defaultLearningRate, weightDecay: weightDecay ?? 0)
        case .momentum, .nesterov:
            try Momentum(learningRate: learningRate ?? Momentum.defaultLearningRate, weightDecay: weightDecay ?? 0,
                         nesterov: self == .nesterov)
        case .rmsprop:
            try RMSProp(learningRate: learningRate ?? RMSProp.defaultLearningRate, weightDecay: weightDecay ?? 0)
        case .adam:
            try Adam(learningRate: learningRate ?? Adam.defaultLearningRate, weightDecay: weightDecay ?? 0)
        case .adamw:
            try Adam(learningRate: learningRate ?? Adam.defaultLearningRate,
                     weightDecay: weightDecay ?? Adam.defaultDecoupledWeightDecay, decoupledWeightDecay: true)
        }
    }
}
