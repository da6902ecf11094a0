/// AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization"): Adam whose
/// weight decay shrinks the weight directly instead of entering the moments:
///
///     w <- w - eta lambda w,   then the Adam step with g = dC/dw
///
/// Its `weightDecay` defaults to 0.01 (as PyTorch's), the one rule where decay is on by default.
public struct AdamW: Optimizer {
    public typealias State = Moments
    /// The learning rate when none is given.
    public static let defaultLearningRate: Float = 0.001
    /// The weight decay when none is given.
    public static let defaultWeightDecay: Float = 0.01
    public let learningRate: Float
    /// Decay of the first-moment (mean) estimate.
    public let beta1: Float
    /// Decay of the second-moment (uncentred variance) estimate.
    public let beta2: Float
    /// Added to sqrt(v^) so the step stays finite.
    public let epsilon: Float
    public let weightDecay: Float

    /// - Throws: ``OptimizerError`` as ``Adam``.
    public init(learningRate: Float = AdamW.defaultLearningRate, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = AdamW.defaultWeightDecay) throws(OptimizerError) {
        try Hyperparameter.learningRate(learningRate)
        try Hyperparameter.unitInterval("beta1", beta1)
        try Hyperparameter.unitInterval("beta2", beta2)
        try Hyperparameter.epsilon(epsilon)
        try Hyperparameter.weightDecay(weightDecay)
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func update(gradient: Float, parameter: Float, state: Moments, step: OptimizationStep) -> (parameter: Float, state: Moments) {
        let decayed = step.weightDecayApplies ? parameter - step.learningRate * weightDecay * parameter : parameter
        let moments = adamMoments(gradient, state, beta1: beta1, beta2: beta2)
        let update = adamDirection(moments, step: step, beta1: beta1, beta2: beta2, epsilon: epsilon)
        return (decayed - step.learningRate * update, moments)
    }

    /// Computes the bias-correction factors 1 / (1 - beta1^t) and 1 / (1 - beta2^t) once per step.
    public func prepare(_ step: inout OptimizationStep) {
        step.biasCorrections = adamBiasCorrections(t: step.count, beta1: beta1, beta2: beta2)
    }

    /// The rule over a tensor on the step's threads (`AdamPass`; the same values as the scalar rule).
    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafePointer<Float>,
                       states: UnsafeMutablePointer<Float>, step: OptimizationStep) {
        AdamPass.apply(parameters: parameters, gradients: gradients, states: states, step: step,
                       beta1: beta1, beta2: beta2, epsilon: epsilon,
                       decay: step.weightDecayApplies ? .decoupled(weightDecay) : .none)
    }

    public var description: String {
        "adamw(learningRate: \(learningRate), beta1: \(beta1), beta2: \(beta2), epsilon: \(epsilon), weightDecay: \(weightDecay))"
    }
}
