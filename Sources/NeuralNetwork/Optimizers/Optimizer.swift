/// A gradient-descent update rule, stated for one scalar parameter:
///
///     (gradient, parameter, state) -> (parameter, state)
///
/// A rule is pure: everything it remembers between steps is in its `State` (nothing for
/// SGD, a velocity for momentum, two moments for Adam), and its hyperparameters are
/// constants of the value. ``OptimizerMemory`` holds the states of every parameter of a
/// network as plain `[Float]` arrays, and ``OptimizerMemory/apply(_:to:gradients:learningRate:)``
/// runs the rule over all of them.
///
/// The rules, simplest first: ``SGD``, ``Momentum`` (heavy ball, or Nesterov's with
/// ``Momentum/nesterov``), ``RMSProp``, ``Adam`` (AdamW with ``Adam/decoupledWeightDecay``).
/// Each takes its hyperparameters in whole words with defaults (`learningRate`,
/// `momentum`, `beta1`, `beta2`, `epsilon`, `weightDecay`) and validates them, throwing
/// ``OptimizerError`` for a negative or NaN learning rate and the like.
///
/// **Weight decay.** `weightDecay` (lambda) is off (0) unless given. The L2 form adds lambda w
/// to the gradient (the gradient of (lambda/2)‖w‖²); AdamW decays the weight directly
/// (decoupled). Decay applies to weights, never to biases
/// (the usual L2 regularisation, Nielsen ch. 3); the driver passes
/// ``OptimizationStep/weightDecayApplies`` accordingly.
public protocol Optimizer: Sendable, CustomStringConvertible {
    /// What the rule remembers per parameter.
    associatedtype State: OptimizerState

    /// The base step size eta (a ``LearningRateSchedule`` may scale it per epoch).
    var learningRate: Float { get }

    /// The L2 (or, for AdamW, decoupled) weight-decay coefficient lambda; 0 is off.
    var weightDecay: Float { get }

    /// The rule for one parameter.
    ///
    /// - Parameters:
    ///   - gradient: dC/dw for this parameter (mean over the batch).
    ///   - parameter: w before the step.
    ///   - state: what the rule remembered after the previous step (``OptimizerState/zero`` first).
    ///   - step: the learning rate of this step, its count t (from 1), and whether decay applies.
    func update(gradient: Float, parameter: Float, state: State, step: OptimizationStep) -> (parameter: Float, state: State)

    /// Fills in what every parameter of one step shares (Adam's bias corrections), so the
    /// rule does not recompute it per parameter. Optional: ``update(gradient:parameter:state:step:)``
    /// gives the same result on an unprepared step. The default does nothing.
    func prepare(_ step: inout OptimizationStep)

    /// The rule over a whole tensor: for every i, `(parameters[i], state i) <- update(gradients[i],
    /// parameters[i], state i, step)`, the states slot-major in `states` (slot s of parameter i at
    /// `s * parameters.count + i`), `step` already prepared.
    ///
    /// The default runs ``update(gradient:parameter:state:step:)`` per scalar. It is a
    /// requirement (not only an extension method) so that each rule's conformance carries a
    /// loop specialised for it, which generic callers in other modules (`Trainer<SGD>` built by
    /// the tool) reach through the witness table instead of running an unspecialised loop per
    /// scalar; rules may override it with a vectorised loop that computes the same values.
    func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafePointer<Float>,
                states: UnsafeMutablePointer<Float>, step: OptimizationStep)
}

extension Optimizer {
    public func prepare(_ step: inout OptimizationStep) {}

    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafePointer<Float>,
                       states: UnsafeMutablePointer<Float>, step: OptimizationStep) {
        let count = parameters.count
        for i in 0..<count {
            let (w, state) = update(gradient: gradients[i], parameter: parameters[i],
                                    state: State(from: states, index: i, stride: count), step: step)
            parameters[i] = w
            state.store(to: states, index: i, stride: count)
        }
    }
}

/// The per-step context of an update: the scheduled learning rate and the step count.
public struct OptimizationStep: Sendable, Hashable {
    /// eta for this step.
    public var learningRate: Float
    /// t, counting from 1 (Adam's bias correction needs it).
    public var count: Int
    /// Whether weight decay applies to this parameter (weights yes, biases no).
    public var weightDecayApplies: Bool
    /// Adam's bias-correction factors (1 / (1 - beta1^t), 1 / (1 - beta2^t)) when
    /// ``Optimizer/prepare(_:)`` has computed them for the step; nil otherwise (the rule then
    /// computes them itself).
    public var biasCorrections: SIMD2<Float>?

    /// Threads a rule may split its tensor loop over (the training backend's thread count, so
    /// the update runs on the threads that computed the gradients); 1 runs it on the caller.
    public var threads: Int = 1

    public init(learningRate: Float, count: Int, weightDecayApplies: Bool = true) {
        self.learningRate = learningRate
        self.count = count
        self.weightDecayApplies = weightDecayApplies
    }
}

/// A hyperparameter out of its range.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// `name` was `value`; `expected` says what is allowed.
    case invalidHyperparameter(name: String, value: Float, expected: String)

    public var description: String {
        switch self {
        case .invalidHyperparameter(let name, let value, let expected):
            "\(name) must be \(expected), got \(value)"
        }
    }
}

// MARK: - Validation

enum Hyperparameter {
    static func learningRate(_ value: Float) throws(OptimizerError) {
        guard value.isFinite && value >= 0 else {
            throw .invalidHyperparameter(name: "learningRate", value: value, expected: "a finite number >= 0")
        }
    }
    static func weightDecay(_ value: Float) throws(OptimizerError) {
        guard value.isFinite && value >= 0 else {
            throw .invalidHyperparameter(name: "weightDecay", value: value, expected: "a finite number >= 0")
        }
    }
    static func unitInterval(_ name: String, _ value: Float) throws(OptimizerError) {
        guard value >= 0 && value < 1 else {
            throw .invalidHyperparameter(name: name, value: value, expected: "in [0, 1)")
        }
    }
    static func epsilon(_ value: Float) throws(OptimizerError) {
        guard value.isFinite && value > 0 else {
            throw .invalidHyperparameter(name: "epsilon", value: value, expected: "a finite number > 0")
        }
    }
}
