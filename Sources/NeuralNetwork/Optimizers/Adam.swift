import RealModule

/// Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization"), and AdamW
/// (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization") when
/// ``decoupledWeightDecay`` is set:
///
///     m <- beta1 m + (1 - beta1) g          v <- beta2 v + (1 - beta2) g²
///     m^ = m / (1 - beta1^t)                v^ = v / (1 - beta2^t)
///     w <- w - eta m^ / (sqrt(v^) + epsilon)
///
/// Weight decay lambda, where it applies, enters in one of two ways:
///
///     Adam (L2):          g = dC/dw + lambda w           (the decay passes through the moments)
///     AdamW (decoupled):  w <- w - eta lambda w, then the step above with g = dC/dw
///
/// `Adam(weightDecay: 0.01, decoupledWeightDecay: true)` is PyTorch's `AdamW` with its defaults
/// (``defaultDecoupledWeightDecay``).
public struct Adam: Optimizer {
    public typealias State = Moments
    /// The learning rate when none is given.
    public static let defaultLearningRate: Float = 0.001
    /// AdamW's usual weight decay (PyTorch's default), the one rule where decay is on by default
    /// (`mlp train --optimizer adamw`).
    public static let defaultDecoupledWeightDecay: Float = 0.01
    public let learningRate: Float
    /// Decay of the first-moment (mean) estimate.
    public let beta1: Float
    /// Decay of the second-moment (uncentred variance) estimate.
    public let beta2: Float
    /// Added to sqrt(v^) so the step stays finite.
    public let epsilon: Float
    public let weightDecay: Float
    /// Whether weight decay shrinks the weight directly (AdamW) instead of being added to the
    /// gradient (Adam with L2 regularisation).
    public let decoupledWeightDecay: Bool

    /// - Throws: ``OptimizerError`` for an invalid learning rate or decay, betas outside
    ///   [0, 1) or `epsilon <= 0`.
    public init(learningRate: Float = Adam.defaultLearningRate, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) throws(OptimizerError) {
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
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public func update(gradient: Float, parameter: Float, state: Moments, step: OptimizationStep) -> (parameter: Float, state: Moments) {
        var g = gradient, w = parameter
        if step.weightDecayApplies {
            if decoupledWeightDecay { w = parameter - step.learningRate * weightDecay * parameter }
            else { g = gradient + weightDecay * parameter }
        }
        let moments = adamMoments(g, state, beta1: beta1, beta2: beta2)
        let update = adamDirection(moments, step: step, beta1: beta1, beta2: beta2, epsilon: epsilon)
        return (w - step.learningRate * update, moments)
    }

    /// Computes the bias-correction factors 1 / (1 - beta1^t) and 1 / (1 - beta2^t) once per step.
    public func prepare(_ step: inout OptimizationStep) {
        step.biasCorrections = adamBiasCorrections(t: step.count, beta1: beta1, beta2: beta2)
    }

    /// The rule over a tensor on the step's threads (`AdamPass`; the same values as the scalar rule).
    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafePointer<Float>,
                       states: UnsafeMutablePointer<Float>, step: OptimizationStep) {
        let decay: AdamPass.Decay = !step.weightDecayApplies ? .none
            : decoupledWeightDecay ? .decoupled(weightDecay) : .l2(weightDecay)
        AdamPass.apply(parameters: parameters, gradients: gradients, states: states, step: step,
                       beta1: beta1, beta2: beta2, epsilon: epsilon, decay: decay)
    }

    /// `adam(...)`, or `adamw(...)` with decoupled weight decay: the name `mlp train --optimizer`
    /// takes, then the hyperparameters (checkpoints compare this text).
    public var description: String {
        "\(decoupledWeightDecay ? "adamw" : "adam")(learningRate: \(learningRate), beta1: \(beta1), beta2: \(beta2), "
            + "epsilon: \(epsilon), weightDecay: \(weightDecay))"
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
