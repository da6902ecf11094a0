import NeuralNetwork
import SVGChart

/// The per-epoch record of a training run: printed as it happens (an aligned line, or one JSON
/// object per epoch with `--json`) and kept for the learning-curve plot.
struct TrainingLog {
    struct Row {
        var report: EpochReport
        var test: Evaluation?
        var regression: RegressionFigures?
    }

    /// A regression run's figures per epoch, in place of an accuracy.
    struct RegressionFigures {
        var training: RegressionMetrics
        var validation: RegressionMetrics?
        var test: RegressionMetrics?
    }

    let json: Bool
    let epochs: Int
    private(set) var rows: [Row] = []

    init(json: Bool, epochs: Int) {
        self.json = json
        self.epochs = epochs
    }

    /// Keeps and prints one epoch.
    mutating func record(_ report: EpochReport, test: Evaluation?, regression: RegressionFigures? = nil) {
        rows.append(Row(report: report, test: test, regression: regression))
        print(json ? Self.jsonLine(report, test: test, regression: regression)
                   : Self.textLine(report, test: test, regression: regression, epochs: epochs))
    }

    /// `  mse 0.0123  mae 0.0876  r2 0.9712`.
    private static func text(_ metrics: RegressionMetrics?) -> String {
        guard let metrics else { return "" }
        return "  mse \(format(metrics.meanSquaredError, digits: 4))  mae \(format(metrics.meanAbsoluteError, digits: 4))"
            + "  r2 \(format(metrics.coefficientOfDetermination, digits: 4))"
    }

    /// `{"accuracy":0.81,"epoch":1,"loss":0.51,...,"seconds":1.2,...}` (``EpochRecord``).
    static func jsonLine(_ report: EpochReport, test: Evaluation?, regression: RegressionFigures? = nil) -> String {
        JSONDocument.encode(EpochRecord(report: report, test: test, regression: regression))
    }

    /// `epoch  3/10  loss 0.4123  accuracy 0.8512  test loss 0.4410  accuracy 0.8431  1.02 s`.
    /// A regression run: `epoch 3/10  loss 0.0061  mse 0.0123  mae 0.0876  r2 0.9712  validation loss ...`.
    static func textLine(_ report: EpochReport, test: Evaluation?, regression: RegressionFigures? = nil, epochs: Int) -> String {
        let width = String(epochs).count
        let number = String(repeating: " ", count: width - String(report.epoch).count) + String(report.epoch)
        var line = "epoch \(number)/\(epochs)  loss \(format(report.trainingLoss, digits: 4))"
        if let accuracy = report.trainingAccuracy { line += "  accuracy \(format(accuracy, digits: 4))" }
        line += Self.text(regression?.training)
        if let validation = report.validation {
            line += "  validation loss \(format(validation.loss, digits: 4))"
            if let accuracy = validation.accuracy { line += "  accuracy \(format(accuracy, digits: 4))" }
            line += Self.text(regression?.validation)
        }
        if let test {
            line += "  test loss \(format(test.loss, digits: 4))"
            if let accuracy = test.accuracy { line += "  accuracy \(format(accuracy, digits: 4))" }
            line += Self.text(regression?.test)
        }
        return line + "  \(format(report.seconds, digits: 2)) s"
    }

    /// Loss and (when it applies) accuracy per epoch, training against validation and test.
    func learningCurves() -> LearningCurves {
        func series(_ name: String, _ value: (Row) -> Double?) -> LineChart.Series? {
            let points = rows.compactMap { row in value(row).map { (x: Double(row.report.epoch), y: $0) } }
            return points.isEmpty ? nil : LineChart.Series(name: name, points: points, markers: points.count <= 40)
        }
        let loss = LineChart(title: "Loss per epoch", xLabel: "epoch", yLabel: "loss", series: [
            series("training", { $0.report.trainingLoss }),
            series("validation", { $0.report.validation?.loss }),
            series("test", { $0.test?.loss }),
        ].compactMap { $0 })
        let accuracySeries = [
            series("training", { $0.report.trainingAccuracy }),
            series("validation", { $0.report.validation?.accuracy }),
            series("test", { $0.test?.accuracy }),
        ].compactMap { $0 }
        let accuracy = accuracySeries.isEmpty ? nil
            : LineChart(title: "Accuracy per epoch", xLabel: "epoch", yLabel: "accuracy", series: accuracySeries)
        return LearningCurves(loss: loss, accuracy: accuracy)
    }
}

/// One epoch of `mlp train --json`: `epoch`, `loss`, `accuracy`, `validationLoss`,
/// `validationAccuracy`, `testLoss`, `testAccuracy`, `learningRate`, `seconds`,
/// `samplesPerSecond`; a regression run has `mse`, `mae`, `r2` (and `validationMSE`, ...,
/// `testR2`) instead of accuracies. Figures that do not apply are left out; a figure that is
/// not a finite number is `null`.
struct EpochRecord: Encodable {
    let report: EpochReport
    let test: Evaluation?
    let regression: TrainingLog.RegressionFigures?

    private enum CodingKeys: String, CodingKey {
        case epoch, loss, accuracy, mse, mae, r2
        case validationLoss, validationAccuracy, validationMSE, validationMAE, validationR2
        case testLoss, testAccuracy, testMSE, testMAE, testR2
        case learningRate, seconds, samplesPerSecond
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        func number(_ value: Double?, _ key: CodingKeys) throws {
            guard let value else { return }
            if value.isFinite { try container.encode(value, forKey: key) } else { try container.encodeNil(forKey: key) }
        }
        func metrics(_ metrics: RegressionMetrics?, _ keys: (CodingKeys, CodingKeys, CodingKeys)) throws {
            guard let metrics else { return }
            try number(metrics.meanSquaredError, keys.0)
            try number(metrics.meanAbsoluteError, keys.1)
            try number(metrics.coefficientOfDetermination, keys.2)
        }
        try container.encode(report.epoch, forKey: .epoch)
        try number(report.trainingLoss, .loss)
        try number(report.trainingAccuracy, .accuracy)
        try metrics(regression?.training, (.mse, .mae, .r2))
        if let validation = report.validation {
            try number(validation.loss, .validationLoss)
            try number(validation.accuracy, .validationAccuracy)
            try metrics(regression?.validation, (.validationMSE, .validationMAE, .validationR2))
        }
        if let test {
            try number(test.loss, .testLoss)
            try number(test.accuracy, .testAccuracy)
            try metrics(regression?.test, (.testMSE, .testMAE, .testR2))
        }
        // The Float as it prints (0.001), not its binary expansion (0.0010000000474974513).
        try number(Double("\(report.learningRate)") ?? Double(report.learningRate), .learningRate)
        try number(report.seconds, .seconds)
        try number(report.samplesPerSecond.rounded(), .samplesPerSecond)
    }
}

/// The learning-curve picture: the loss chart above the accuracy chart in one SVG.
struct LearningCurves {
    var loss: LineChart
    var accuracy: LineChart?

    var svg: String {
        guard let accuracy else { return loss.svg() }
        let top = loss.svg(), bottom = accuracy.svg()
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(loss.width))" height="\(Int(loss.height + accuracy.height))">
            <g>\(top)</g>
            <g transform="translate(0 \(Int(loss.height)))">\(bottom)</g>
            </svg>

            """
    }

    func write(to path: String) throws {
        try BinaryFile.writeAtomically(Array(svg.utf8), toPath: path)
        writeToStandardError("wrote \(path)\n")
    }
}
