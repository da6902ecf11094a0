import LinearAlgebra

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

    /// The rule over a tensor in one vectorisable pass (the same values as the scalar rule),
    /// split over ``OptimizationStep/threads`` contiguous chunks for large tensors.
    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients g: UnsafePointer<Float>,
                       states: UnsafeMutablePointer<Float>, step: OptimizationStep) {
        guard let w = parameters.baseAddress else { return }
        var pass = SGDPass(w: w, g: g, eta: step.learningRate, lambda: step.weightDecayApplies ? weightDecay : nil)
        // Below ~64k parameters a chunk is a few microseconds: not worth waking a thread.
        let threads = parameters.count >= 1 << 16 ? step.threads : 1
        withUnsafePointer(to: &pass) { pass in
            ParallelLoop.run(count: parameters.count, threads: threads, context: UnsafeRawPointer(pass)) { pass, start, end in
                pass.assumingMemoryBound(to: SGDPass.self).pointee.run(start, end)
            }
        }
    }

    public var description: String { "sgd(learningRate: \(learningRate), weightDecay: \(weightDecay))" }
}

/// One SGD pass over a range of a tensor (see ``SGD/update(parameters:gradients:states:step:)``).
private struct SGDPass {
    let w: UnsafeMutablePointer<Float>
    let g: UnsafePointer<Float>
    let eta: Float
    /// The weight decay when it applies to this tensor.
    let lambda: Float?

    func run(_ start: Int, _ end: Int) {
        if let lambda {
            for i in start..<end { w[i] = w[i] - eta * (g[i] + lambda * w[i]) }
        } else {
            for i in start..<end { w[i] = w[i] - eta * g[i] }
        }
    }
}
