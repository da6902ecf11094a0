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

    /// `("mse", .number(...)), ("mae", ...), ("r2", ...)` with `prefix` (`validationMSE`, ...).
    private static func members(_ metrics: RegressionMetrics?, prefix: String) -> [(String, JSONValue)] {
        guard let metrics else { return [] }
        let names = prefix.isEmpty ? ["mse", "mae", "r2"] : [prefix + "MSE", prefix + "MAE", prefix + "R2"]
        return zip(names, [metrics.meanSquaredError, metrics.meanAbsoluteError, metrics.coefficientOfDetermination]).map { ($0, .number($1)) }
    }

    /// `  mse 0.0123  mae 0.0876  r2 0.9712`.
    private static func text(_ metrics: RegressionMetrics?) -> String {
        guard let metrics else { return "" }
        return "  mse \(format(metrics.meanSquaredError, digits: 4))  mae \(format(metrics.meanAbsoluteError, digits: 4))"
            + "  r2 \(format(metrics.coefficientOfDetermination, digits: 4))"
    }

    /// `{"epoch":1,"loss":0.51,"accuracy":0.81,"validationLoss":...,"testAccuracy":...,"seconds":1.2,...}`;
    /// figures that do not apply are left out.
    /// A regression run has `mse`, `mae`, `r2` (and `validationMSE`, ..., `testR2`) instead of accuracies.
    static func jsonLine(_ report: EpochReport, test: Evaluation?, regression: RegressionFigures? = nil) -> String {
        var members: [(String, JSONValue)] = [
            ("epoch", .number(Double(report.epoch))),
            ("loss", .number(report.trainingLoss)),
        ]
        if let accuracy = report.trainingAccuracy { members.append(("accuracy", .number(accuracy))) }
        members += Self.members(regression?.training, prefix: "")
        if let validation = report.validation {
            members.append(("validationLoss", .number(validation.loss)))
            if let accuracy = validation.accuracy { members.append(("validationAccuracy", .number(accuracy))) }
            members += Self.members(regression?.validation, prefix: "validation")
        }
        if let test {
            members.append(("testLoss", .number(test.loss)))
            if let accuracy = test.accuracy { members.append(("testAccuracy", .number(accuracy))) }
            members += Self.members(regression?.test, prefix: "test")
        }
        // The Float as it prints (0.001), not its binary expansion (0.0010000000474974513).
        members.append(("learningRate", .number(Double("\(report.learningRate)") ?? Double(report.learningRate))))
        members.append(("seconds", .number(report.seconds)))
        members.append(("samplesPerSecond", .number(report.samplesPerSecond.rounded())))
        return JSONValue.object(members).serialized
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
