/// How a layer's weights W (`rows x fanIn`) are drawn before training.
///
/// With fanIn = inputs per unit and fanOut = rows of W (for Maxout, outputs x pieces):
///
/// | case | name | distribution |
/// |---|---|---|
/// | ``normal(standardDeviation:)`` | `normal:SIGMA` | N(0, sigma²), the course's W ~ N(0, sigma²) |
/// | ``lecunNormal`` | `lecun-normal` | N(0, 1/fanIn) (LeCun et al. 1998; Nielsen ch. 3) |
/// | ``xavierUniform`` | `xavier-uniform` | U(-r, r), r = sqrt(6 / (fanIn + fanOut)) (Glorot & Bengio 2010) |
/// | ``xavierNormal`` | `xavier-normal` | N(0, 2 / (fanIn + fanOut)) |
/// | ``heNormal`` | `he-normal` | N(0, 2 / fanIn) (He et al. 2015), for ReLU layers |
///
/// Every draw comes from a ``SeededGenerator``, weights row-major, layer after layer, each
/// layer's bias after its weights, so a seed gives the same network on every machine.
public enum Initializer: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// W ~ N(0, sigma²).
    case normal(standardDeviation: Float)
    /// W ~ N(0, 1/fanIn).
    case lecunNormal
    /// W ~ U(-sqrt(6/(fanIn + fanOut)), +sqrt(6/(fanIn + fanOut))).
    case xavierUniform
    /// W ~ N(0, 2/(fanIn + fanOut)).
    case xavierNormal
    /// W ~ N(0, 2/fanIn).
    case heNormal

    /// Every initializer, `normal` with sigma 1, in the order the command line lists them.
    public static let allCases: [Initializer] = [.xavierUniform, .xavierNormal, .heNormal, .lecunNormal, .normal(standardDeviation: 1)]

    public var description: String {
        switch self {
        case .normal(let sigma): "normal:\(sigma)"
        case .lecunNormal: "lecun-normal"
        case .xavierUniform: "xavier-uniform"
        case .xavierNormal: "xavier-normal"
        case .heNormal: "he-normal"
        }
    }

    /// Parses `normal:SIGMA`, `normal` (sigma 1), `lecun-normal`, `xavier-uniform`,
    /// `xavier-normal` or `he-normal`.
    public init?(name: String) {
        switch name {
        case "normal": self = .normal(standardDeviation: 1)
        case "lecun-normal": self = .lecunNormal
        case "xavier-uniform": self = .xavierUniform
        case "xavier-normal": self = .xavierNormal
        case "he-normal": self = .heNormal
        default:
            guard name.hasPrefix("normal:"), let sigma = Float(name.dropFirst(7)), sigma.isFinite, sigma >= 0
            else { return nil }
            self = .normal(standardDeviation: sigma)
        }
    }

    /// `count` weights for a layer with the given fans, drawn from `generator`.
    public func weights(count: Int, fanIn: Int, fanOut: Int, using generator: inout SeededGenerator) -> [Float] {
        let fanIn = Double(max(fanIn, 1)), fanOut = Double(max(fanOut, 1))
        switch self {
        case .xavierUniform:
            let r = (6 / (fanIn + fanOut)).squareRoot()
            return (0..<count).map { _ in Float(generator.nextUniform(in: -r, r)) }
        case .normal(let sigma):
            return Self.normals(count, sigma: Double(sigma), using: &generator)
        case .lecunNormal:
            return Self.normals(count, sigma: (1 / fanIn).squareRoot(), using: &generator)
        case .xavierNormal:
            return Self.normals(count, sigma: (2 / (fanIn + fanOut)).squareRoot(), using: &generator)
        case .heNormal:
            return Self.normals(count, sigma: (2 / fanIn).squareRoot(), using: &generator)
        }
    }

    private static func normals(_ count: Int, sigma: Double, using generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float(sigma * generator.nextNormal()) }
    }
}

/// How biases are set before training: zero, or N(0, sigma²) (as in Nielsen's `network.py`).
public enum BiasInitializer: Sendable, Hashable, CustomStringConvertible {
    /// b = 0.
    case zero
    /// b ~ N(0, sigma²).
    case normal(standardDeviation: Float)

    public var description: String {
        switch self {
        case .zero: "zero"
        case .normal(let sigma): "normal:\(sigma)"
        }
    }

    /// Parses `zero`, `normal` (sigma 1) or `normal:SIGMA`.
    public init?(name: String) {
        if name == "zero" { self = .zero; return }
        if name == "normal" { self = .normal(standardDeviation: 1); return }
        guard name.hasPrefix("normal:"), let sigma = Float(name.dropFirst(7)), sigma.isFinite, sigma >= 0 else { return nil }
        self = .normal(standardDeviation: sigma)
    }

    /// `count` biases drawn from `generator` (none drawn for ``zero``).
    public func biases(count: Int, using generator: inout SeededGenerator) -> [Float] {
        switch self {
        case .zero: return [Float](repeating: 0, count: count)
        case .normal(let sigma): return (0..<count).map { _ in Float(Double(sigma) * generator.nextNormal()) }
        }
    }
}
