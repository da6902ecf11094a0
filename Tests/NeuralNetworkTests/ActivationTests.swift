import Testing
@testable import NeuralNetwork

@Suite("Activation")
struct ActivationTests {
    static let elementwise = Activation.allCases.filter(\.isElementwise) + [.leakyReLU(slope: 0.2), .elu(alpha: 0.5)]
    /// Points away from every kink (0 and 6), from -1e4 to 1e4.
    static let points: [Double] = [-1e4, -30, -7.5, -2.3, -1, -0.37, 0.21, 0.8, 1.7, 4.2, 5.9, 6.4, 30, 1e4]

    @Test("derivative matches central differences in Double", arguments: elementwise)
    func derivativeMatchesFiniteDifferences(activation: Activation) {
        for z in Self.points {
            let h = 1e-6 * max(1, abs(z))
            let numeric = (activation.value(z + h) - activation.value(z - h)) / (2 * h)
            let analytic: Double = activation.derivative(z)
            #expect(abs(numeric - analytic) <= 1e-6 * max(1, abs(analytic)), "\(activation) at z = \(z): \(analytic) vs \(numeric)")
        }
    }

    @Test("Float evaluation is finite and agrees with Double, up to |z| = 1e4", arguments: elementwise)
    func floatAgreesWithDouble(activation: Activation) {
        for z in Self.points + [-1e30, 1e30] {
            let (value, derivative) = activation.valueAndDerivative(Float(z))
            #expect(value.isFinite && derivative.isFinite, "\(activation) at \(z): \(value), \(derivative)")
            guard abs(z) <= 1e4 else { continue }
            let (v, d) = activation.valueAndDerivative(Double(Float(z)))
            #expect(abs(Double(value) - v) <= 1e-6 * max(1, abs(v)), "\(activation) value at \(z)")
            #expect(abs(Double(derivative) - d) <= 1e-6 * max(1, abs(d)), "\(activation) derivative at \(z)")
        }
    }

    @Test func definitionsAtKinksAndTails() {
        #expect(Activation.step.value(Float(0)) == 1 && Activation.step.value(Float(-1e-7)) == 0)
        #expect(Activation.relu.derivative(Float(0)) == 0)
        #expect(Activation.leakyReLU().derivative(Float(0)) == Float(0.1))
        #expect(Activation.elu().derivative(Float(0)) == 1)
        #expect(Activation.relu6.derivative(Float(6)) == 0 && Activation.relu6.value(Float(7)) == 6)
        #expect(Activation.sigmoid.value(Float(-1e4)) == 0 && Activation.sigmoid.value(Float(1e4)) == 1)
        #expect(Activation.mish.value(Float(1e4)) == 1e4 && Activation.swish.value(Float(1e4)) == 1e4)
        #expect(Activation.softplus(Float(1e4)) == 1e4 && Activation.softplus(Float(-1e4)) == 0)
    }

    @Test func softmaxIsStableAndItsJacobianMatchesFiniteDifferences() {
        let huge = Activation.softmax([Float(1e4), -1e4, 0, 1e4])
        #expect(huge.allSatisfy { $0.isFinite })
        #expect(abs(huge.reduce(0, +) - 1) < 1e-6 && abs(huge[0] - 0.5) < 1e-6)

        // d/dz_i of g . softmax(z) is (J^T g)_i, which backpropagate computes.
        let z: [Double] = [0.3, -1.2, 2.0, 0.7]
        let g: [Double] = [0.5, -0.25, 1.5, -1]
        let a = Activation.softmax(z)
        var delta = g.map(Float.init)
        let zf = z.map(Float.init), af = a.map(Float.init)
        Activation.softmax.backpropagate(&delta, preactivation: zf, output: af, rows: 1, columns: 4)
        for i in 0..<4 {
            let h = 1e-6
            var plus = z, minus = z
            plus[i] += h; minus[i] -= h
            let dot = { (v: [Double]) in zip(g, Activation.softmax(v)).reduce(0) { $0 + $1.0 * $1.1 } }
            let numeric = (dot(plus) - dot(minus)) / (2 * h)
            #expect(abs(Double(delta[i]) - numeric) < 1e-6)
        }
    }

    @Test func namesRoundTrip() {
        let names = "identity step sigmoid tanh relu leaky-relu elu relu6 swish mish softmax".split(separator: " ").map(String.init)
        #expect(Activation.allCases.map(\.description) == names)
        for name in names + ["leaky-relu:0.2", "elu:0.5"] {
            #expect(Activation(name: name)?.description == name)
        }
        #expect(Activation(name: "leaky-relu:0.2") == .leakyReLU(slope: 0.2))
        #expect(Activation(name: "elu") == .elu(alpha: 1))
        #expect(Activation(name: "leaky-relu:0.1") == .leakyReLU())
        for bad in ["Relu", "relu:2", "leaky-relu:", "elu:nan", "softplus", ""] {
            #expect(Activation(name: bad) == nil, "\(bad)")
        }
    }
}
