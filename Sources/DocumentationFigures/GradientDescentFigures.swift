import NeuralNetwork
import SVGChart

/// Gradient descent twice: the SGD rule stepping down a parabola with a small and a large
/// learning rate, and the training loss of a network on the two spirals under each optimizer.
enum GradientDescentFigures {
    static func draw() throws -> [Figure] {
        [try parabola(), try optimizers()]
    }

    /// C(w) = (w - 3)², from w = 0, with ``SGD``'s own rule.
    static func parabola() throws -> Figure {
        func cost(_ w: Double) -> Double { (w - 3) * (w - 3) }
        var series: [LineChart.Series] = [
            .init(name: "C(w)", points: grid(from: -1, to: 7, count: 161).map { ($0, cost($0)) }, markers: false),
        ]
        for rate: Float in [0.1, 0.9] {
            let sgd = try SGD(learningRate: rate)
            var w: Float = 0, points = [(x: 0.0, y: cost(0))]
            for t in 1...12 {
                w = sgd.update(gradient: 2 * (w - 3), parameter: w, state: NoState(),
                               step: OptimizationStep(learningRate: rate, count: t)).parameter
                points.append((Double(w), cost(Double(w))))
            }
            series.append(.init(name: "eta = \(rate)", points: points))
        }
        let chart = LineChart(title: "w <- w - eta dC/dw on C(w) = (w - 3)², 12 steps from w = 0", xLabel: "w", yLabel: "C(w)",
                              series: series)
        return Figure(name: "gradient-descent-steps.svg", svg: chart.svg())
    }

    /// The mean training loss per epoch of a 2-32-32-2 ReLU network on the two spirals.
    static func optimizers() throws -> Figure {
        let data = Dataset.twoSpirals(count: 1000, seed: 1)
        let network = try Network(sizes: [2, 32, 32, 2], hiddenActivation: .relu, outputActivation: .softmax,
                                  loss: .crossEntropy, seed: 1)
        let rules: [any Optimizer] = [try SGD(learningRate: 0.1), try Momentum(learningRate: 0.05), try Momentum(learningRate: 0.05, nesterov: true),
                                      try RMSProp(learningRate: 0.003), try Adam(learningRate: 0.01)]
        let series = try rules.map { rule in
            let history = try train(network, with: rule, on: data)
            return LineChart.Series(name: String("\(rule)".prefix { $0 != "(" }) + " \(rule.learningRate)",
                                    points: history.epochs.map { (Double($0.epoch), $0.trainingLoss) }, markers: false)
        }
        let chart = LineChart(title: "Two spirals, 2-32-32-2 ReLU, batch 32: training loss per epoch", xLabel: "epoch",
                              yLabel: "cross-entropy", series: series)
        return Figure(name: "optimizers.svg", svg: chart.svg())
    }

    static func train<O: Optimizer>(_ network: Network, with rule: O, on data: Dataset) throws -> TrainingHistory {
        let trainer = try Trainer(network: network, optimizer: rule, backend: ReferenceBackend(),
                                  options: TrainingOptions(batchSize: 32, epochs: 40))
        return try trainer.train(on: data)
    }
}
