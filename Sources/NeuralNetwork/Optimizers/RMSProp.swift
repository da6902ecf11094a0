/// RMSProp (Tieleman & Hinton 2012, Coursera lecture 6.5): divide the step by a running
/// root mean square of the gradient.
///
///     s <- decay s + (1 - decay) g²        w <- w - eta g / (sqrt(s) + epsilon)
///
/// (g = dC/dw + lambda w; epsilon outside the root, as in PyTorch.)
public struct RMSProp: Optimizer {
    public typealias State = MeanSquare
    /// The learning rate when none is given.
    public static let defaultLearningRate: Float = 0.001
    public let learningRate: Float
    /// The fraction of the running mean square kept from step to step.
    public let decay: Float
    /// Added to the root mean square so the step stays finite.
    public let epsilon: Float
    public let weightDecay: Float

    /// - Throws: ``OptimizerError`` for an invalid learning rate or decay, `decay` outside
    ///   [0, 1) or `epsilon <= 0`.
    public init(learningRate: Float = RMSProp.defaultLearningRate, decay: Float = 0.9, epsilon: Float = 1e-8,
                weightDecay: Float = 0) throws(OptimizerError) {
        try Hyperparameter.learningRate(learningRate)
        try Hyperparameter.unitInterval("decay", decay)
        try Hyperparameter.epsilon(epsilon)
        try Hyperparameter.weightDecay(weightDecay)
        self.learningRate = learningRate
        self.decay = decay
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func update(gradient: Float, parameter: Float, state: MeanSquare, step: OptimizationStep) -> (parameter: Float, state: MeanSquare) {
        let g = step.weightDecayApplies ? gradient + weightDecay * parameter : gradient
        let s = decay * state.meanSquare + (1 - decay) * g * g
        return (parameter - step.learningRate * g / (s.squareRoot() + epsilon), MeanSquare(meanSquare: s))
    }

    public var description: String { "rmsprop(learningRate: \(learningRate), decay: \(decay), epsilon: \(epsilon), weightDecay: \(weightDecay))" }
}
