import NeuralNetwork
import SVGChart

/// The perceptron's learning rule on a linearly separable set in the plane: the regions of the
/// trained threshold unit with the points on top, and the mistakes per epoch falling to zero.
enum PerceptronFigures {
    static func draw() throws -> [Figure] {
        // Points in [-2, 2]² labelled by the line x + 2y = 0.5, none closer to it than 0.3.
        var generator = SeededGenerator(seed: 4)
        var samples: [(input: [Float], target: Int)] = []
        while samples.count < 60 {
            let x = generator.nextUniform(in: -2, 2), y = generator.nextUniform(in: -2, 2)
            let side = x + 2 * y - 0.5
            guard abs(side) >= 0.3 else { continue }
            samples.append(([Float(x), Float(y)], side > 0 ? 1 : 0))
        }
        var perceptron = Perceptron(inputSize: 2)
        let mistakes = perceptron.train(samples, epochs: 100, learningRate: 0.1)

        let resolution = 80, range = -2.0...2.0
        let cells = (0..<(resolution * resolution)).map { index in
            let centre = DecisionRegionChart.cellCentre(row: index / resolution, column: index % resolution,
                                                        resolution: resolution, xRange: range, yRange: range)
            return perceptron.output([Float(centre.x), Float(centre.y)])
        }
        let regions = DecisionRegionChart(
            title: "Perceptron after \(mistakes.count) epochs: w = (\(short(perceptron.weights[0])), \(short(perceptron.weights[1]))), T = \(short(perceptron.threshold))",
            xRange: range, yRange: range, gridClasses: cells, resolution: resolution,
            points: samples.map { (Double($0.input[0]), Double($0.input[1]), $0.target) })
        var curve = LineChart(title: "The learning rule: mistakes per epoch", xLabel: "epoch", yLabel: "samples misclassified",
                              series: [.init(name: "mistakes", points: mistakes.enumerated().map { (Double($0 + 1), Double($1)) })])
        curve.width = 560
        curve.height = 320
        return [Figure(name: "perceptron-regions.svg", svg: regions.svg()),
                Figure(name: "perceptron-mistakes.svg", svg: curve.svg())]
    }

    static func short(_ value: Float) -> String {
        String(Double((value * 100).rounded()) / 100)
    }
}
