import ArgumentParser
import NeuralNetwork

/// `mlp evaluate`: loss, then for class labels accuracy, per-class precision and recall and the
/// confusion matrix, for real-valued targets (regression) MSE, MAE and R^2. The data is raw: a
/// model saved with a standardizer applies it.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a model: loss, accuracy, per-class precision/recall and the confusion matrix; MSE, MAE and R^2 for regression.",
        discussion: "An IDX folder is evaluated on its test set (t10k-*), a CSV file as a whole. With real-valued targets (--targets N) "
            + "it prints mse, mae and r2 after the loss; the quadratic loss is (N/2) mse, half the mse for one target.")

    @Option(help: "The model file (safetensors).")
    var model: String
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var architectureOptions: ArchitectureOptions
    @OptionGroup var compute: ComputeOptions

    func run() throws {
        let network = try architectureOptions.loadModel(model)
        let data = try dataOptions.loadForEvaluation(classCount: network.outputSize)
        try TrainingSession.check(network.sizes, against: data, what: "the model \(model)")
        let backend = try compute.make()
        let evaluation = try network.evaluate(data, backend: backend)
        print("samples   \(evaluation.count)")
        print("loss      \(format(evaluation.loss, digits: 4))")
        if let metrics = try network.regressionMetrics(on: data, backend: backend) {
            print("mse       \(format(metrics.meanSquaredError, digits: 4))")
            print("mae       \(format(metrics.meanAbsoluteError, digits: 4))")
            print("r2        \(format(metrics.coefficientOfDetermination, digits: 4))")
        }
        guard let labels = data.labels else { return }
        let predicted = try network.predictedClasses(for: data, backend: backend)
        let classes = max(data.targetWidth, 2)
        let confusion = ConfusionMatrix(actual: labels, predicted: predicted, classCount: classes)
        print("accuracy  \(format(confusion.accuracy, digits: 4))")
        print("")
        print("class  precision  recall  support")
        for c in 0..<classes {
            let support = (0..<classes).reduce(0) { $0 + confusion[actual: c, predicted: $1] }
            let precision = confusion.precision(of: c).map { format($0, digits: 4) } ?? "-"
            let recall = confusion.recall(of: c).map { format($0, digits: 4) } ?? "-"
            print(pad("\(c)", 5) + "  " + pad(precision, 9) + "  " + pad(recall, 6) + "  \(support)")
        }
        print("")
        print("confusion matrix (rows: actual class, columns: predicted class)")
        let width = max(String(confusion.total).count, String(classes - 1).count) + 1
        print(String(repeating: " ", count: 5) + (0..<classes).map { padLeft("\($0)", width) }.joined())
        for a in 0..<classes {
            print(pad("\(a)", 5) + (0..<classes).map { padLeft("\(confusion[actual: a, predicted: $0])", width) }.joined())
        }
    }
}
