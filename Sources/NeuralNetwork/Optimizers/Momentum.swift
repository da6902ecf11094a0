/// SGD with (heavy-ball) momentum (Polyak 1964; Sutskever et al. 2013), in PyTorch's form:
///
///     v <- mu v + g        w <- w - eta v        (g = dC/dw + lambda w)
///
/// With a constant eta this equals the textbook v <- mu v - eta g, w <- w + v.
public struct Momentum: Optimizer {
    public typealias State = Velocity
    /// The learning rate when none is given.
    public static let defaultLearningRate: Float = 0.01
    public let learningRate: Float
    /// mu, the fraction of the velocity kept from step to step.
    public let momentum: Float
    public let weightDecay: Float

    /// - Throws: ``OptimizerError`` for an invalid learning rate or decay, or momentum outside [0, 1).
    public init(learningRate: Float = Momentum.defaultLearningRate, momentum: Float = 0.9, weightDecay: Float = 0) throws(OptimizerError) {
        try Hyperparameter.learningRate(learningRate)
        try Hyperparameter.unitInterval("momentum", momentum)
        try Hyperparameter.weightDecay(weightDecay)
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public func update(gradient: Float, parameter: Float, state: Velocity, step: OptimizationStep) -> (parameter: Float, state: Velocity) {
        let g = step.weightDecayApplies ? gradient + weightDecay * parameter : gradient
        let v = momentum * state.velocity + g
        return (parameter - step.learningRate * v, Velocity(velocity: v))
    }

    public var description: String { "momentum(learningRate: \(learningRate), momentum: \(momentum), weightDecay: \(weightDecay))" }
}
