import NeuralNetwork
import SVGChart

/// One plot per elementwise activation: g(z) and g'(z) side by side, as ``Activation`` computes them.
enum ActivationFigures {
    static func draw() -> [Figure] {
        Activation.allCases.filter(\.isElementwise).map { activation in
            let zs = activation == .relu6 ? grid(from: -2, to: 8, count: 501) : grid(from: -4, to: 4, count: 401)
            var chart = LineChart(
                title: "\(activation): g(z) and g'(z)", xLabel: "z", yLabel: "",
                series: [
                    .init(name: "g(z)", points: zs.map { ($0, activation.value($0)) }, markers: false),
                    .init(name: "g'(z)", points: zs.map { ($0, activation.derivative($0)) }, markers: false),
                ])
            chart.width = 520
            chart.height = 300
            return Figure(name: "activation-\(activation.baseName).svg", svg: chart.svg())
        }
    }
}
