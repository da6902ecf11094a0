import RealModule

/// Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization"), with L2 decay
/// added to the gradient when `weightDecay` is set:
///
///     m <- beta1 m + (1 - beta1) g          v <- beta2 v + (1 - beta2) g²
///     m^ = m / (1 - beta1^t)                v^ = v / (1 - beta2^t)
///     w <- w - eta m^ / (sqrt(v^) + epsilon)
public struct Adam: Optimizer {
    public typealias State = Moments
    /// The learning rate when none is given.
    public static let defaultLearningRate: Float = 0.001
    public let learningRate: Float
    /// Decay of the first-moment (mean) estimate.
    public let beta1: Float
    /// Decay of the second-moment (uncentred variance) estimate.
    public let beta2: Float
    /// Added to sqrt(v^) so the step stays finite.
    public let epsilon: Float
    public let weightDecay: Float

    /// - Throws: ``OptimizerError`` for an invalid learning rate or decay, betas outside
    ///   [0, 1) or `epsilon <= 0`.
    public init(learningRate: Float = Adam.defaultLearningRate, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) throws(OptimizerError) {
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
        let g = step.weightDecayApplies ? gradient + weightDecay * parameter : gradient
        let moments = adamMoments(g, state, beta1: beta1, beta2: beta2)
        let update = adamDirection(moments, step: step, beta1: beta1, beta2: beta2, epsilon: epsilon)
        return (parameter - step.learningRate * update, moments)
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
                       decay: step.weightDecayApplies ? .l2(weightDecay) : .none)
    }

    public var description: String {
        "adam(learningRate: \(learningRate), beta1: \(beta1), beta2: \(beta2), epsilon: \(epsilon), weightDecay: \(weightDecay))"
    }
}

/// Adam's moment updates m <- beta1 m + (1 - beta1) g, v <- beta2 v + (1 - beta2) g².
func adamMoments(_ g: Float, _ state: Moments, beta1: Float, beta2: Float) -> Moments {
    Moments(mean: beta1 * state.mean + (1 - beta1) * g, variance: beta2 * state.variance + (1 - beta2) * g * g)
}

/// (1 / (1 - beta1^t), 1 / (1 - beta2^t)): factors, so each parameter multiplies instead of dividing.
func adamBiasCorrections(t: Int, beta1: Float, beta2: Float) -> SIMD2<Float> {
    SIMD2(1 / (1 - Float.pow(beta1, t)), 1 / (1 - Float.pow(beta2, t)))
}

/// Adam's bias-corrected direction m^ / (sqrt(v^) + epsilon).
func adamDirection(_ moments: Moments, step: OptimizationStep, beta1: Float, beta2: Float, epsilon: Float) -> Float {
    let corrections = step.biasCorrections ?? adamBiasCorrections(t: step.count, beta1: beta1, beta2: beta2)
    let mHat = moments.mean * corrections[0]
    let vHat = moments.variance * corrections[1]
    return mHat / (vHat.squareRoot() + epsilon)
}
