import Foundation
import NeuralNetwork
import SVGChart

/// How big the errors Delta^l are, layer by layer, in a deep network at initialisation: they
/// shrink towards the input with sigmoid (the vanishing gradient) and far less with tanh and ReLU.
enum BackpropagationFigure {
    static func draw() throws -> [Figure] {
        let sizes = [16, 32, 32, 32, 32, 32, 32, 32, 4]
        var generator = SeededGenerator(seed: 9)
        let inputs = Matrix(rows: 64, columns: 16, elements: (0..<(64 * 16)).map { _ in Float(generator.nextNormal()) })
        var targets = Matrix(rows: 64, columns: 4)
        for s in 0..<64 { targets[s, generator.nextIndex(below: 4)] = 1 }
        let series = try [Activation.sigmoid, .tanh, .relu].map { activation in
            let network = try Network(sizes: sizes, hiddenActivation: activation, outputActivation: .softmax,
                                      loss: .crossEntropy, seed: 2)
            let trace = try network.backpropagationTrace(inputs: inputs, targets: targets, backend: ReferenceBackend())
            let points = trace.layers.enumerated().map { l, layer in
                let delta = layer.delta.elements
                let rms = (delta.reduce(0) { $0 + Double($1) * Double($1) } / Double(delta.count)).squareRoot()
                return (x: Double(l + 1), y: log10(rms))
            }
            return LineChart.Series(name: "\(activation)", points: points)
        }
        let chart = LineChart(title: "Backpropagation through 8 layers: size of Delta^l at initialisation",
                              xLabel: "layer l (1 = first hidden layer, 8 = output)", yLabel: "log10 RMS of Delta^l", series: series)
        return [Figure(name: "backpropagation-deltas.svg", svg: chart.svg())]
    }
}
