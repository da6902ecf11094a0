import RealModule

/// An activation function g, applied elementwise to a layer's pre-activation z (softmax: to
/// each row), with its derivative beside it.
///
/// | name | g(z) | g'(z) |
/// |---|---|---|
/// | `identity` | z | 1 |
/// | `step` | 1 if z >= 0 else 0 | 0 (the jump at 0 has no derivative; backprop sees none) |
/// | `sigmoid` | 1 / (1 + e^-z) | g (1 - g) |
/// | `tanh` | tanh z | 1 - g^2 |
/// | `relu` | max(0, z) | 1 if z > 0 else 0 |
/// | `leaky-relu` | z if z > 0 else slope z | 1 if z > 0 else slope |
/// | `elu` | z if z > 0 else alpha (e^z - 1) | 1 if z > 0 else alpha e^z |
/// | `relu6` | min(max(0, z), 6) | 1 if 0 < z < 6 else 0 |
/// | `swish` | z sigmoid(z) | s + z s (1 - s), s = sigmoid(z) |
/// | `mish` | z tanh(softplus z) | t + z (1 - t^2) sigmoid(z), t = tanh(softplus z) |
/// | `softmax` | e^(z_i - m) / sum_j e^(z_j - m), m = max_j z_j, per row | Jacobian diag(a) - a a^T |
///
/// At a kink (relu and relatives at 0) the derivative takes the value of the left piece, as
/// PyTorch does. Every formula is written to stay finite for |z| up to 1e4 and beyond: sigmoid
/// evaluates e^-|z| only, softplus(z) = max(z, 0) + log1p(e^-|z|), softmax subtracts the row
/// maximum.
///
/// **Names.** ``description`` and ``init(name:)`` use the command line's spelling, which a
/// saved model stores: `identity step sigmoid tanh relu leaky-relu elu relu6 swish mish
/// softmax`. A parameter that differs from its default follows a colon: `leaky-relu:0.2`
/// (slope 0.2), `elu:0.5` (alpha 0.5); `leaky-relu` alone means slope 0.1 and `elu` alone
/// alpha 1.
///
/// `softmax` couples the units of a row, so it is for the output layer only (a network
/// rejects it elsewhere); paired with ``Loss/crossEntropy`` the output error is fused to a - y.
public enum Activation: Sendable, Hashable, CaseIterable, CustomStringConvertible, LosslessStringConvertible {
    /// g(z) = z.
    case identity
    /// Heaviside step, g(z) = 1 if z >= 0 else 0; the classic perceptron's threshold unit.
    case step
    /// The logistic function 1 / (1 + e^-z).
    case sigmoid
    /// The hyperbolic tangent.
    case tanh
    /// Rectified linear unit, max(0, z).
    case relu
    /// Leaky ReLU: z for z > 0, `slope` z otherwise (default slope 0.1).
    case leakyReLU(slope: Float = 0.1)
    /// Exponential linear unit (Clevert et al. 2016): z for z > 0, `alpha` (e^z - 1) otherwise.
    case elu(alpha: Float = 1)
    /// ReLU capped at 6, min(max(0, z), 6).
    case relu6
    /// Swish / SiLU (Ramachandran et al. 2017): z sigmoid(z).
    case swish
    /// Mish (Misra 2019): z tanh(softplus(z)).
    case mish
    /// Softmax over each row, with the row maximum subtracted first; output layer only.
    case softmax

    /// Every activation with default parameters, in the command line's order.
    public static let allCases: [Activation] = [
        .identity, .step, .sigmoid, .tanh, .relu, .leakyReLU(), .elu(), .relu6, .swish, .mish, .softmax,
    ]

    /// The command-line name, with the parameter after a colon when it is not the default.
    public var description: String {
        switch self {
        case .identity: "identity"
        case .step: "step"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .relu: "relu"
        case .leakyReLU(let slope): slope == 0.1 ? "leaky-relu" : "leaky-relu:\(slope)"
        case .elu(let alpha): alpha == 1 ? "elu" : "elu:\(alpha)"
        case .relu6: "relu6"
        case .swish: "swish"
        case .mish: "mish"
        case .softmax: "softmax"
        }
    }

    /// The name without its parameter (`leaky-relu` for any slope).
    public var baseName: String {
        switch self {
        case .leakyReLU: "leaky-relu"
        case .elu: "elu"
        default: description
        }
    }

    /// Parses a command-line name such as `relu`, `leaky-relu`, `leaky-relu:0.2` or `elu:0.5`;
    /// nil for anything else (an unknown name, a parameter on a function that takes none, or a
    /// parameter that is not a finite number).
    public init?(_ description: String) {
        self.init(name: description)
    }

    /// Parses a command-line name; see ``init(_:)``.
    public init?(name: String) {
        let parts = name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0])
        var parameter: Float?
        if parts.count == 2 {
            guard let value = Float(String(parts[1])), value.isFinite else { return nil }
            parameter = value
        }
        switch base {
        case "leaky-relu": self = .leakyReLU(slope: parameter ?? 0.1); return
        case "elu": self = .elu(alpha: parameter ?? 1); return
        default: break
        }
        guard parameter == nil else { return nil }
        switch base {
        case "identity": self = .identity
        case "step": self = .step
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "relu": self = .relu
        case "relu6": self = .relu6
        case "swish": self = .swish
        case "mish": self = .mish
        case "softmax": self = .softmax
        default: return nil
        }
    }

    /// Whether g acts on each entry alone (everything but softmax).
    public var isElementwise: Bool { self != .softmax }

    /// g(z) and g'(z) of an elementwise activation, side by side.
    ///
    /// Generic so that the network computes in `Float` while gradient checks and tests
    /// recompute in `Double`. For ``softmax`` this is not defined per entry; see
    /// ``softmax(_:count:)``.
    @inlinable
    public func valueAndDerivative<T: Real & BinaryFloatingPoint>(_ z: T) -> (value: T, derivative: T) {
        switch self {
        case .identity:
            return (z, 1)
        case .step:
            return (z >= 0 ? 1 : 0, 0)
        case .sigmoid:
            let s = Self.logistic(z)
            return (s, s * (1 - s))
        case .tanh:
            let t = T.tanh(z)
            return (t, 1 - t * t)
        case .relu:
            return z > 0 ? (z, 1) : (0, 0)
        case .leakyReLU(let slope):
            return z > 0 ? (z, 1) : (T(slope) * z, T(slope))
        case .elu(let alpha):
            return z > 0 ? (z, 1) : (T(alpha) * T.expMinusOne(z), T(alpha) * T.exp(z))
        case .relu6:
            if z <= 0 { return (0, 0) }
            if z >= 6 { return (6, 0) }
            return (z, 1)
        case .swish:
            let s = Self.logistic(z)
            return (z * s, s + z * s * (1 - s))
        case .mish:
            let t = T.tanh(Self.softplus(z))
            return (z * t, t + z * (1 - t * t) * Self.logistic(z))
        case .softmax:
            preconditionFailure("Activation.softmax acts on whole rows; use softmax(_:count:)")
        }
    }

    /// g(z) of an elementwise activation.
    @inlinable
    public func value<T: Real & BinaryFloatingPoint>(_ z: T) -> T { valueAndDerivative(z).value }

    /// g'(z) of an elementwise activation.
    @inlinable
    public func derivative<T: Real & BinaryFloatingPoint>(_ z: T) -> T { valueAndDerivative(z).derivative }

    /// The logistic function without overflow: 1 / (1 + e^-z) for z >= 0, e^z / (1 + e^z) below.
    @inlinable
    public static func logistic<T: Real & BinaryFloatingPoint>(_ z: T) -> T {
        if z >= 0 { return 1 / (1 + T.exp(-z)) }
        let e = T.exp(z)
        return e / (1 + e)
    }

    /// softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^-|z|), finite for every finite z.
    @inlinable
    public static func softplus<T: Real & BinaryFloatingPoint>(_ z: T) -> T {
        max(z, 0) + T.log(onePlus: T.exp(-abs(z)))
    }

    /// Softmax of one row in place: a_i = e^(z_i - m) / sum_j e^(z_j - m) with m = max_j z_j,
    /// so the largest exponent is e^0 and nothing overflows.
    @inlinable
    public static func softmax<T: Real & BinaryFloatingPoint>(_ row: UnsafeMutablePointer<T>, count: Int) {
        guard count > 0 else { return }
        var m = row[0]
        for j in 1..<max(count, 1) where row[j] > m { m = row[j] }
        var sum: T = 0
        for j in 0..<count {
            let e = T.exp(row[j] - m)
            row[j] = e
            sum += e
        }
        let inverse = 1 / sum
        for j in 0..<count { row[j] *= inverse }
    }

    /// Softmax of one row as a new array (see ``softmax(_:count:)``).
    public static func softmax<T: Real & BinaryFloatingPoint>(_ z: [T]) -> [T] {
        var a = z
        a.withUnsafeMutableBufferPointer { softmax($0.baseAddress!, count: $0.count) }
        return a
    }

    /// Applies g to `rows` rows of `columns` entries in place (elementwise, or softmax per row).
    func apply(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        if self == .softmax {
            for i in 0..<rows { Self.softmax(values + i * columns, count: columns) }
        } else {
            for i in 0..<(rows * columns) { values[i] = value(values[i]) }
        }
    }

    /// Turns dC/dA into dC/dZ in place, the derivative and the Hadamard product in one pass:
    /// delta = gradient (.) g'(z) elementwise; for softmax, per row,
    /// delta_i = a_i (gradient_i - sum_j gradient_j a_j) (the Jacobian-vector product).
    func backpropagate(
        _ gradient: UnsafeMutablePointer<Float>,
        preactivation z: UnsafePointer<Float>, output a: UnsafePointer<Float>,
        rows: Int, columns: Int, threads: Int = 1
    ) {
        if self == .softmax {
            for i in 0..<rows {
                let g = gradient + i * columns, ai = a + i * columns
                var dot: Float = 0
                for j in 0..<columns { dot += g[j] * ai[j] }
                for j in 0..<columns { g[j] = ai[j] * (g[j] - dot) }
            }
        } else if self == .relu {
            Self.reluBackpropagate(gradient, preactivation: z, count: rows * columns, threads: threads)
        } else {
            for i in 0..<(rows * columns) { gradient[i] *= derivative(z[i]) }
        }
    }
}
