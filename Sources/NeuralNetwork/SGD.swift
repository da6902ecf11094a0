/// Plain stochastic gradient descent (Robbins & Monro 1951):
///
///     w <- w - eta (dC/dw + lambda w)
///
/// With `weightDecay` 0 (the default) this is exactly W <- W - eta dC/dW, the rule
/// `mlp train --optimizer sgd` promises.
public struct SGD: Optimizer {
    public typealias State = NoState
    /// The learning rate when none is given.
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

    /// The rule over a tensor in one vectorisable pass (the same values as the scalar rule).
    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients g: UnsafePointer<Float>,
                       states: UnsafeMutablePointer<Float>, step: OptimizationStep) {
        guard let w = parameters.baseAddress else { return }
        let eta = step.learningRate, lambda = weightDecay
        if step.weightDecayApplies {
            for i in 0..<parameters.count { w[i] = w[i] - eta * (g[i] + lambda * w[i]) }
        } else {
            for i in 0..<parameters.count { w[i] = w[i] - eta * g[i] }
        }
    }

    public var description: String { "sgd(learningRate: \(learningRate), weightDecay: \(weightDecay))" }
}
