import Foundation
import NeuralNetwork
import SVGChart

/// The gradient check's error against its step h: truncation error ~h² for large h, rounding
/// ~1e-16/h for tiny h, and in between the floor of the `Float` backprop that is being checked.
enum GradientCheckFigure {
    static func draw() throws -> [Figure] {
        let network = try Network(sizes: [4, 6, 3], hiddenActivation: .tanh, outputActivation: .softmax,
                                  loss: .crossEntropy, seed: 5)
        let inputs = Matrix([[0.1, -0.2, 0.3, 0.9], [1, 0.5, -1, 0], [-0.7, 0.2, 0.4, -0.1]])
        let targets = Matrix([[1, 0, 0], [0, 0, 1], [0, 1, 0]])
        let points = try (1...13).map { exponent in
            let h = pow(10, Double(-exponent))
            let report = try GradientCheck.check(network, inputs: inputs, targets: targets, backend: ReferenceBackend(), step: h)
            return (x: Double(-exponent), y: log10(report.worst))
        }
        let chart = LineChart(title: "Gradient check of a 4-6-3 network: error against the step h",
                              xLabel: "log10 h", yLabel: "log10 relative error",
                              series: [.init(name: "worst tensor", points: points)])
        return [Figure(name: "gradient-check-step.svg", svg: chart.svg())]
    }
}
