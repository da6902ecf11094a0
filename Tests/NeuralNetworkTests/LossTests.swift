import Testing
import RealModule
@testable import NeuralNetwork

@Suite("Loss")
struct LossTests {
    @Test("dC/da matches central differences", arguments: Loss.allCases)
    func gradientMatchesFiniteDifferences(loss: Loss) {
        let outputs: [Double] = [0.03, 0.2, 0.5, 0.77, 0.96]
        let targets: [Double] = loss == .quadratic ? [-1.5, 0.3, 2] : [0, 1, 0.25]
        for a in outputs {
            for y in targets {
                let h = 1e-7
                let numeric = (Loss.term(loss, a: a + h, y: y) - Loss.term(loss, a: a - h, y: y)) / (2 * h)
                let analytic = Loss.termDerivative(loss, a: a, y: y)
                #expect(abs(numeric - analytic) <= 1e-6 * max(1, abs(analytic)), "\(loss) a=\(a) y=\(y)")
            }
        }
    }

    @Test func valuesAreMeansOverTheBatch() {
        let a = Matrix([[0.2, 0.8], [0.6, 0.4]])
        let y = Matrix([[0, 1], [1, 0]])
        // quadratic: (1/2) [0.5 (0.04 + 0.04) + 0.5 (0.16 + 0.16)] = 0.1
        #expect(abs(Loss.quadratic.value(output: a, target: y) - 0.1) < 1e-6)
        let ce = -(Double.log(0.8) + Double.log(0.6)) / 2
        #expect(abs(Double(Loss.crossEntropy.value(output: a, target: y)) - ce) < 1e-6)
        let bce = -(Double.log(0.8) + Double.log(0.8) + Double.log(0.6) + Double.log(0.6)) / 2
        #expect(abs(Double(Loss.binaryCrossEntropy.value(output: a, target: y)) - bce) < 1e-6)
        // The gradient carries the 1/n.
        #expect(Loss.quadratic.gradient(output: a, target: y).elements.map { ($0 * 1e5).rounded() / 1e5 } == [0.1, -0.1, -0.2, 0.2])
    }

    /// The fused output errors (softmax + cross-entropy, sigmoid + binary cross-entropy) equal
    /// dC_s/dz by central differences of the loss written from z, also at |z| = 30 and 1e4.
    @Test(arguments: [(Loss.crossEntropy, Activation.softmax), (.binaryCrossEntropy, .sigmoid), (.quadratic, .identity),
                      (.quadratic, .sigmoid), (.quadratic, .softmax), (.crossEntropy, .sigmoid)])
    func outputErrorMatchesFiniteDifferences(loss: Loss, activation: Activation) {
        let rows: [([Double], [Double])] = [
            ([0.3, -1.1, 2.2], [0, 0, 1]),
            ([30, -30, 4], [1, 0, 0]),
            ([1e4, -1e4, 0], [0, 1, 0]),
        ]
        for (z, y) in rows {
            let large = z.contains { abs($0) > 100 }
            let value = { (z: [Double]) -> Double in
                let a = activation == .softmax ? Activation.softmax(z) : z.map { activation.value($0) }
                if loss == .crossEntropy && activation == .softmax {
                    let m = z.max()!, logSum = m + Double.log(z.reduce(0) { $0 + Double.exp($1 - m) })
                    return zip(z, y).reduce(0) { $0 - $1.1 * ($1.0 - logSum) }
                }
                if loss == .binaryCrossEntropy && activation == .sigmoid {
                    return zip(z, y).reduce(0) { $0 + Activation.softplus($1.0) - $1.1 * $1.0 }
                }
                return zip(a, y).reduce(0) { $0 + Loss.term(loss, a: $1.0, y: $1.1) }
            }
            let zf = z.map(Float.init), yf = y.map(Float.init)
            var af = zf
            activation.apply(&af, rows: 1, columns: 3)
            var delta = [Float](repeating: .nan, count: 3)
            loss.outputError(preactivation: zf, output: af, target: yf, rows: 1, columns: 3, activation: activation, into: &delta)
            let sum = loss.sum(preactivation: zf, output: af, target: yf, rows: 1, columns: 3, activation: activation)
            #expect(sum.isFinite && delta.allSatisfy { $0.isFinite }, "\(loss) \(activation) z=\(z)")
            if large && !loss.isFused(with: activation) { continue }  // saturated chain rule: only finiteness is promised
            #expect(abs(sum - value(z)) <= 1e-5 * max(1, abs(value(z))), "\(loss) \(activation) value at z=\(z)")
            for i in 0..<3 {
                let h = 1e-6 * max(1, abs(z[i]))
                var plus = z, minus = z
                plus[i] += h; minus[i] -= h
                let numeric = (value(plus) - value(minus)) / (2 * h)
                #expect(abs(Double(delta[i]) - numeric) <= 1e-5 * max(1, abs(numeric)), "\(loss) \(activation) z=\(z) i=\(i)")
            }
        }
    }

    @Test func namesAreTheCommandLineSpelling() {
        #expect(Loss.allCases.map(\.description) == ["quadratic", "cross-entropy", "binary-cross-entropy"])
        #expect(Loss(rawValue: "cross-entropy") == .crossEntropy)
    }
}
