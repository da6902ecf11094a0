import NeuralNetwork
import SVGChart

/// The course's six ReLUs and their sum Z(x): each hidden unit's signed contribution
/// ±relu(w x + b) and the network's output, both computed by networks of the package.
enum UniversalApproximationFigure {
    /// w_i and b_i of the hidden units, and the output weight (the sign) of each.
    static let weights: [Float] = [-5, -1.2, 1.2, 1.2, 2, 5]
    static let biases: [Float] = [-7.7, -1.3, 1, -0.2, -1.1, -5]
    static let signs: [Float] = [-1, -1, -1, 1, 1, 1]

    static func draw() throws -> [Figure] {
        let hidden = try Dense(weights: Matrix(rows: 6, columns: 1, elements: weights), bias: biases, activation: .relu)
        let output = try Dense(weights: Matrix(rows: 1, columns: 6, elements: signs), bias: [0], activation: .identity)
        let units = try Network(layers: [hidden], loss: .quadratic)
        let whole = try Network(layers: [hidden, output], loss: .quadratic)
        let xs = grid(from: -4, to: 4, count: 401)
        let inputs = Matrix(rows: xs.count, columns: 1, elements: xs.map { Float($0) })
        let n = try units.predict(inputs, backend: ReferenceBackend())
        let z = try whole.predict(inputs, backend: ReferenceBackend())
        var series: [LineChart.Series] = (0..<6).map { i in
            .init(name: "\(signs[i] < 0 ? "-" : "+")n\(i + 1)", points: xs.indices.map { (xs[$0], Double(signs[i] * n[$0, i])) },
                  markers: false)
        }
        series.append(.init(name: "Z(x)", points: xs.indices.map { (xs[$0], Double(z[$0, 0])) }, markers: false))
        var chart = LineChart(title: "Six ReLUs and their sum Z = -n1 - n2 - n3 + n4 + n5 + n6", xLabel: "x", yLabel: "",
                              series: series)
        chart.height = 420
        return [Figure(name: "universal-approximation.svg", svg: chart.svg())]
    }
}
