import LinearAlgebra

/// ``Adam``'s rule (either form of weight decay) over a whole tensor, the same values as its per-parameter rule
/// (the same ``adamMoments(_:_:beta1:beta2:)`` and ``adamDirection(_:step:beta1:beta2:epsilon:)``),
/// split over ``OptimizationStep/threads`` contiguous chunks for large tensors as SGD's is.
///
/// With the moments slot-major (m of parameter i at `states[i]`, v at `states[count + i]`), per
/// parameter, with the decay that applies:
///
///     Adam (L2):          g <- g + lambda w
///     AdamW (decoupled):  w <- w - eta lambda w
///     m, v <- moments(g);  w <- w - eta m^ / (sqrt(v^) + epsilon)
struct AdamPass {
    /// How weight decay enters the step.
    enum Decay {
        case none
        /// Added to the gradient (Adam's L2 `weightDecay`).
        case l2(Float)
        /// Applied to the weight before the step (``Adam/decoupledWeightDecay``, AdamW).
        case decoupled(Float)
    }

    let w: UnsafeMutablePointer<Float>
    let g: UnsafePointer<Float>
    let m: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>
    let beta1: Float, beta2: Float, epsilon: Float
    let step: OptimizationStep
    let decay: Decay

    /// Applies the rule to every parameter of the tensor (the step already prepared).
    static func apply(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafePointer<Float>,
                      states: UnsafeMutablePointer<Float>, step: OptimizationStep,
                      beta1: Float, beta2: Float, epsilon: Float, decay: Decay) {
        guard let w = parameters.baseAddress else { return }
        let count = parameters.count
        var pass = AdamPass(w: w, g: gradients, m: states, v: states + count,
                            beta1: beta1, beta2: beta2, epsilon: epsilon, step: step, decay: decay)
        // Below ~64k parameters a chunk is a few microseconds: not worth waking a thread.
        let threads = count >= 1 << 16 ? step.threads : 1
        withUnsafePointer(to: &pass) { pass in
            ParallelLoop.run(count: count, threads: threads, context: UnsafeRawPointer(pass)) { pass, start, end in
                pass.assumingMemoryBound(to: AdamPass.self).pointee.run(start, end)
            }
        }
    }

    /// The rule for parameters `start..<end`.
    func run(_ start: Int, _ end: Int) {
        let eta = step.learningRate
        for i in start..<end {
            var weight = w[i], gradient = g[i]
            switch decay {
            case .none: break
            case .l2(let lambda): gradient = gradient + lambda * weight
            case .decoupled(let lambda): weight = weight - eta * lambda * weight
            }
            let moments = adamMoments(gradient, Moments(mean: m[i], variance: v[i]), beta1: beta1, beta2: beta2)
            let direction = adamDirection(moments, step: step, beta1: beta1, beta2: beta2, epsilon: epsilon)
            w[i] = weight - eta * direction
            m[i] = moments.mean
            v[i] = moments.variance
        }
    }
}
