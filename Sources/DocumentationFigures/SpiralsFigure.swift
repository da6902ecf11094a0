import NeuralNetwork
import SVGChart

/// What the app of "Depending on the package" learns: the decision regions of a 2-32-32-2 ReLU
/// network with standardised inputs, trained with Adam on 800 of the two spirals' 1000 points
/// (the held-out 200 drawn).
enum SpiralsFigure {
    static func draw() throws -> [Figure] {
        let data = Dataset.twoSpirals(count: 1000, seed: 1)
        let (training, test) = try data.shuffledSplit(validationFraction: 0.2, seed: 2, stratified: true)
        var network = try Network(sizes: [2, 32, 32, 2], hiddenActivation: .relu, outputActivation: .softmax,
                                  loss: .crossEntropy, seed: 1)
        try network.setStandardizer(try Standardizer(fittedTo: training))
        let trainer = try Trainer(network: network, optimizer: try Adam(learningRate: 0.01), backend: ReferenceBackend(),
                                  options: TrainingOptions(batchSize: 32, epochs: 60))
        try trainer.train(on: training)
        let accuracy = try trainer.network.evaluate(test, backend: ReferenceBackend()).accuracy ?? 0

        let resolution = 100, range = -1.2...1.2
        var cells = Matrix(rows: resolution * resolution, columns: 2)
        for index in 0..<(resolution * resolution) {
            let centre = DecisionRegionChart.cellCentre(row: index / resolution, column: index % resolution,
                                                        resolution: resolution, xRange: range, yRange: range)
            cells[index, 0] = Float(centre.x)
            cells[index, 1] = Float(centre.y)
        }
        let classes = trainer.network.predictedClasses(outputs: try trainer.network.predict(cells, backend: ReferenceBackend()))
        guard let labels = test.labels else { return [] }
        let features = test.featureMatrix
        let points = (0..<test.count).map { (Double(features[$0, 0]), Double(features[$0, 1]), Int(labels[$0])) }
        let chart = DecisionRegionChart(
            title: "Two spirals: 200 held-out points, test accuracy \(Double((accuracy * 1000).rounded()) / 1000)",
            xRange: range, yRange: range, gridClasses: classes.map(Int.init), resolution: resolution, points: points)
        return [Figure(name: "spirals-regions.svg", svg: chart.svg())]
    }
}
