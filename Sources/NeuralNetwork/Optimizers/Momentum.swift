/// SGD with momentum in PyTorch's form: heavy-ball momentum (Polyak 1964; Sutskever et al.
/// 2013), or Nesterov's accelerated gradient (Nesterov 1983; Sutskever et al. 2013) when
/// ``nesterov`` is set, which looks ahead along the velocity:
///
///     v <- mu v + g        w <- w - eta v                  (heavy ball)
///     v <- mu v + g        w <- w - eta (g + mu v)         (Nesterov)
///
/// with g = dC/dw + lambda w. With a constant eta the heavy ball equals the textbook
/// v <- mu v - eta g, w <- w + v.
public struct Momentum: Optimizer {
    public typealias State = Velocity
    /// The learning rate when none is given.
    public static let defaultLearningRate: Float = 0.01
    public let learningRate: Float
    /// mu, the fraction of the velocity kept from step to step.
    public let momentum: Float
    public let weightDecay: Float
    /// Whether the step looks ahead along the velocity (Nesterov) instead of following it.
    public let nesterov: Bool

    /// - Throws: ``OptimizerError`` for an invalid learning rate or decay, or momentum outside [0, 1).
    public init(learningRate: Float = Momentum.defaultLearningRate, momentum: Float = 0.9, weightDecay: Float = 0,
                nesterov: Bool = false) throws(OptimizerError) {
        try Hyperparameter.learningRate(learningRate)
        try Hyperparameter.unitInterval("momentum", momentum)
        try Hyperparameter.weightDecay(weightDecay)
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public func update(gradient: Float, parameter: Float, state: Velocity, step: OptimizationStep) -> (parameter: Float, state: Velocity) {
        let g = step.weightDecayApplies ? gradient + weightDecay * parameter : gradient
        let v = momentum * state.velocity + g
        return (parameter - step.learningRate * (nesterov ? g + momentum * v : v), Velocity(velocity: v))
    }

    /// `momentum(...)`, or `nesterov(...)`: the name `mlp train --optimizer` takes, then the
    /// hyperparameters (checkpoints compare this text).
    public var description: String {
        "\(nesterov ? "nesterov" : "momentum")(learningRate: \(learningRate), momentum: \(momentum), weightDecay: \(weightDecay))"
    }
}
