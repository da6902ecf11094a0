import RealModule

/// Plain stochastic gradient descent (Robbins & Monro 1951):
///
///     w <- w - eta (dC/dw + lambda w)
///
/// With `weightDecay` 0 (the default) this is exactly W <- W - eta dC/dW, the rule
/// `mlp train --optimizer sgd` promises.
public struct SGD: Optimizer {
    public typealias State = NoState
    public static let defaultLearningRate: Float = 0.01
    public let learningRate: Float
    public let weightDecay: Float

    /// - Throws: ``OptimizerError`` for a negative, infinite or NaN learning rate or decay.
    public init(learningRate: Float = SGD.defaultLearningRate, weightDecay: Float = 0) throws(OptimizerError) {
        try Hyperparameter.learningRate(learningRate)
        try Hyperparameter.weightDecay(weightDecay)
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    public func update(gradient: Float, parameter: Float, state: NoState, step: OptimizationStep) -> (parameter: Float, state: NoState) {
        let g = step.weightDecayApplies ? gradient + weightDecay * parameter : gradient
        return (parameter - step.learningRate * g, state)
    }

    public var description: String { "sgd(learningRate: \(learningRate), weightDecay: \(weightDecay))" }
}

/// SGD with (heavy-ball) momentum (Polyak 1964; Sutskever et al. 2013), in PyTorch's form:
///
///     v <- mu v + g        w <- w - eta v        (g = dC/dw + lambda w)
///
/// With a constant eta this equals the textbook v <- mu v - eta g, w <- w + v.
public struct Momentum: Optimizer {
    public typealias State = Velocity
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

/// Nesterov accelerated gradient (Nesterov 1983; Sutskever et al. 2013), in PyTorch's form,
/// which looks ahead along the velocity:
///
///     v <- mu v + g        w <- w - eta (g + mu v)        (g = dC/dw + lambda w)
public struct Nesterov: Optimizer {
    public typealias State = Velocity
    public static let defaultLearningRate: Float = 0.01
    public let learningRate: Float
    /// mu, the fraction of the velocity kept from step to step.
    public let momentum: Float
    public let weightDecay: Float

    /// - Throws: ``OptimizerError`` for an invalid learning rate or decay, or momentum outside [0, 1).
    public init(learningRate: Float = Nesterov.defaultLearningRate, momentum: Float = 0.9, weightDecay: Float = 0) throws(OptimizerError) {
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
        return (parameter - step.learningRate * (g + momentum * v), Velocity(velocity: v))
    }

    public var description: String { "nesterov(learningRate: \(learningRate), momentum: \(momentum), weightDecay: \(weightDecay))" }
}

/// RMSProp (Tieleman & Hinton 2012, Coursera lecture 6.5): divide the step by a running
/// root mean square of the gradient.
///
///     s <- decay s + (1 - decay) g²        w <- w - eta g / (sqrt(s) + epsilon)
///
/// (g = dC/dw + lambda w; epsilon outside the root, as in PyTorch.)
public struct RMSProp: Optimizer {
    public typealias State = MeanSquare
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

/// Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization"), with L2 decay
/// added to the gradient when `weightDecay` is set:
///
///     m <- beta1 m + (1 - beta1) g          v <- beta2 v + (1 - beta2) g²
///     m^ = m / (1 - beta1^t)                v^ = v / (1 - beta2^t)
///     w <- w - eta m^ / (sqrt(v^) + epsilon)
public struct Adam: Optimizer {
    public typealias State = Moments
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

    /// Computes the bias corrections 1 - beta1^t and 1 - beta2^t once per step.
    public func prepare(_ step: inout OptimizationStep) {
        step.biasCorrections = adamBiasCorrections(t: step.count, beta1: beta1, beta2: beta2)
    }

    public var description: String {
        "adam(learningRate: \(learningRate), beta1: \(beta1), beta2: \(beta2), epsilon: \(epsilon), weightDecay: \(weightDecay))"
    }
}

/// AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization"): Adam whose
/// weight decay shrinks the weight directly instead of entering the moments:
///
///     w <- w - eta lambda w,   then the Adam step with g = dC/dw
///
/// Its `weightDecay` defaults to 0.01 (as PyTorch's), the one rule where decay is on by default.
public struct AdamW: Optimizer {
    public typealias State = Moments
    public static let defaultLearningRate: Float = 0.001
    public static let defaultWeightDecay: Float = 0.01
    public let learningRate: Float
    public let beta1: Float
    public let beta2: Float
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

    /// Computes the bias corrections 1 - beta1^t and 1 - beta2^t once per step.
    public func prepare(_ step: inout OptimizationStep) {
        step.biasCorrections = adamBiasCorrections(t: step.count, beta1: beta1, beta2: beta2)
    }

    public var description: String {
        "adamw(learningRate: \(learningRate), beta1: \(beta1), beta2: \(beta2), epsilon: \(epsilon), weightDecay: \(weightDecay))"
    }
}

/// Adam's moment updates m <- beta1 m + (1 - beta1) g, v <- beta2 v + (1 - beta2) g².
private func adamMoments(_ g: Float, _ state: Moments, beta1: Float, beta2: Float) -> Moments {
    Moments(mean: beta1 * state.mean + (1 - beta1) * g, variance: beta2 * state.variance + (1 - beta2) * g * g)
}

/// (1 - beta1^t, 1 - beta2^t).
private func adamBiasCorrections(t: Int, beta1: Float, beta2: Float) -> SIMD2<Float> {
    SIMD2(1 - Float.pow(beta1, t), 1 - Float.pow(beta2, t))
}

/// Adam's bias-corrected direction m^ / (sqrt(v^) + epsilon).
private func adamDirection(_ moments: Moments, step: OptimizationStep, beta1: Float, beta2: Float, epsilon: Float) -> Float {
    let corrections = step.biasCorrections ?? adamBiasCorrections(t: step.count, beta1: beta1, beta2: beta2)
    let mHat = moments.mean / corrections[0]
    let vHat = moments.variance / corrections[1]
    return mHat / (vHat.squareRoot() + epsilon)
}
