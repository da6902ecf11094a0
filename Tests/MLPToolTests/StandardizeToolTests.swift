import Foundation
import NeuralNetwork
import Testing

/// `mlp train --standardize` and `mlp evaluate`'s regression figures, through the built binary;
/// every figure recomputed here from the CSV and from what `mlp predict` printed.
@Suite struct StandardizeToolTests {
    /// The blobs with features far from standardized: 500 + 40 x, 0.01 y and the constant 7.
    static func skewedBlobs() -> (csv: String, rows: [[Double]]) {
        let rows = parseCSV(blobsCSV(count: 120, seed: 8).split(separator: "\n").dropFirst().joined(separator: "\n"))
            .map { [$0[0], 500 + 40 * $0[1], 0.01 * $0[2], 7] }
        let csv = "label,a,b,c\n" + rows.map { row in "\(Int(row[0]))," + row[1...].map { "\(Float($0))" }.joined(separator: ",") }
            .joined(separator: "\n") + "\n"
        return (csv, rows.map { [$0[0]] + $0[1...].map { Double(Float($0)) } })
    }

    /// Per column of `rows` (features only), the mean and the population standard deviation.
    static func statistics(_ rows: ArraySlice<[Double]>) -> (mean: [Double], deviation: [Double]) {
        let width = rows.first!.count, n = Double(rows.count)
        let mean = (0..<width).map { j in rows.reduce(0) { $0 + $1[j] } / n }
        let deviation = (0..<width).map { j in (rows.reduce(0) { $0 + ($1[j] - mean[j]) * ($1[j] - mean[j]) } / n).squareRoot() }
        return (mean, deviation)
    }

    @Test func standardizeFitsTheTrainingRowsAndPredictAppliesIt() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (csv, rows) = Self.skewedBlobs()
        let data = folder.appendingPathComponent("blobs.csv"), model = folder.appendingPathComponent("model.safetensors")
        try data.write(csv)
        let train = try runTool(["train", "--data", data.path, "--layers", "3,8,3", "--activation", "tanh", "--epochs", "30",
                                 "--batch-size", "16", "--learning-rate", "0.05", "--seed", "5", "--validation-split", "0.25",
                                 "--standardize", "--save", model.path, "--backend", "reference"])
        #expect(train.exitStatus == 0, "\(train.standardError)")
        #expect(train.standardError.contains("on 120 samples (standardized) with"), "\(train.standardError)")

        // Fitted on the 90 training rows, not on the 30 validation rows held out after them.
        let network = try Network(contentsOfFile: model.path)
        let standardizer = try #require(network.standardizer)
        let features = rows.map { Array($0[1...]) }
        let (mean, deviation) = Self.statistics(features[0..<90])
        let (allMean, _) = Self.statistics(features[...])
        for j in 0..<3 {
            #expect(abs(Double(standardizer.mean[j]) - mean[j]) <= 1e-6 * max(abs(mean[j]), 1e-3), "mean \(j)")
            if j < 2 {
                #expect(abs(Double(standardizer.scale[j]) - deviation[j]) <= 1e-6 * deviation[j], "scale \(j)")
            }
        }
        #expect(abs(Double(standardizer.mean[0]) - allMean[0]) > 1e-3, "the validation rows are not fitted")
        #expect(standardizer.scale[2] == 1, "the constant feature has scale 1")

        let info = try runTool(["info", model.path])
        #expect(info.standardOutput.contains("standardizer  (x - standardizer.mean) / standardizer.scale on 3 features"))
        #expect(info.standardOutput.contains("standardizer.mean") && info.standardOutput.contains("standardizer.scale"))

        // predict takes raw features: the same as the network without its standardizer on rows
        // standardized here, in Double.
        let inputs = folder.appendingPathComponent("features.csv")
        try inputs.write(features.map { $0.map { "\(Float($0))" }.joined(separator: ",") }.joined(separator: "\n") + "\n")
        let predicted = try runTool(["predict", "--model", model.path, "--input", inputs.path, "--probabilities"])
        #expect(predicted.exitStatus == 0, "\(predicted.standardError)")
        let printed = parseCSV(predicted.standardOutput)
        var plain = network
        try plain.setStandardizer(nil)
        let byHand = Matrix(features.map { row in (0..<3).map { j in
            Float((row[j] - Double(standardizer.mean[j])) / Double(standardizer.scale[j])) } })
        let expected = try plain.predict(byHand, backend: ReferenceBackend())
        #expect(printed.count == 120)
        var largest = 0.0
        for i in 0..<120 { for c in 0..<3 { largest = max(largest, abs(printed[i][c] - Double(expected[i, c]))) } }
        #expect(largest < 1e-5, "predict vs standardizing by hand: \(largest)")

        // evaluate on the raw CSV: the accuracy of those outputs, and standardization pays off.
        let classes = try runTool(["predict", "--model", model.path, "--input", inputs.path]).standardOutput
            .split(separator: "\n").map { Int($0)! }
        let right = zip(classes, rows).filter { Double($0) == $1[0] }.count
        let evaluate = try runTool(["evaluate", "--model", model.path, "--data", data.path])
        #expect(evaluate.standardOutput.contains("accuracy  " + String(format: "%.4f", Double(right) / 120)), "\(evaluate.standardOutput)")
        #expect(Double(right) / 120 > 0.9)

        // Without --standardize no standardizer is stored.
        let rawModel = folder.appendingPathComponent("raw.safetensors")
        let rawTrain = try runTool(["train", "--data", data.path, "--layers", "3,8,3", "--epochs", "1", "--save", rawModel.path,
                                    "--backend", "reference"])
        #expect(rawTrain.exitStatus == 0, "\(rawTrain.standardError)")
        #expect(try Network(contentsOfFile: rawModel.path).standardizer == nil)
        #expect(!(try runTool(["info", rawModel.path])).standardOutput.contains("standardizer"))
    }

    /// A standardized model saved from PyTorch (its state dict plus standardizer.mean and
    /// standardizer.scale, no metadata of ours) gives torch's probabilities on raw inputs; see
    /// Fixtures/torch_standardized_interop.py, whose `check` covers the other direction.
    @Test func predictsWithAStandardizedPyTorchModel() throws {
        try ReferenceTests.expectTorchProbabilities(model: "torch_standardized.safetensors", layers: "3,6,2", activation: "tanh",
                                                    inputs: "torch_standardized_inputs.csv",
                                                    outputs: "torch_standardized_outputs.csv", tolerance: 1e-5)
    }

    @Test func evaluatePrintsRegressionFigures() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // y = 2 a - b / 50 + a wobble, with b far from standardized.
        let rows: [[Double]] = (0..<80).map { i in
            let a = Double(Float(Double(i % 17) / 8 - 1)), b = Double(Float(100 + Double((i * 7) % 23) * 10))
            return [a, b, Double(Float(2 * a - b / 50 + 0.3 * sin(Double(i))))]
        }
        let data = folder.appendingPathComponent("regression.csv"), model = folder.appendingPathComponent("model.safetensors")
        try data.write("a,b,y\n" + rows.map { $0.map { "\(Float($0))" }.joined(separator: ",") }.joined(separator: "\n") + "\n")
        let train = try runTool(["train", "--data", data.path, "--targets", "1", "--layers", "2,8,1", "--activation", "tanh",
                                 "--epochs", "60", "--batch-size", "16", "--learning-rate", "0.02", "--seed", "3",
                                 "--standardize", "--save", model.path, "--backend", "reference"])
        #expect(train.exitStatus == 0, "\(train.standardError)")

        let evaluate = try runTool(["evaluate", "--model", model.path, "--data", data.path, "--targets", "1"])
        #expect(evaluate.exitStatus == 0, "\(evaluate.standardError)")
        func figure(_ name: String) throws -> Double {
            let line = try #require(evaluate.standardOutput.split(separator: "\n").first { $0.hasPrefix(name + " ") }, "\(name) in \(evaluate.standardOutput)")
            return try #require(Double(line.dropFirst(name.count).trimmingCharacters(in: .whitespaces)))
        }
        let loss = try figure("loss"), mse = try figure("mse"), mae = try figure("mae"), r2 = try figure("r2")
        #expect(!evaluate.standardOutput.contains("accuracy"))

        // The same figures from predict's values and the CSV's targets, in Double.
        let inputs = folder.appendingPathComponent("inputs.csv")
        try inputs.write(rows.map { "\(Float($0[0])),\(Float($0[1]))" }.joined(separator: "\n") + "\n")
        let predicted = try runTool(["predict", "--model", model.path, "--input", inputs.path])
        let outputs = parseCSV(predicted.standardOutput).map { $0[0] }
        #expect(outputs.count == 80)
        let targets = rows.map { $0[2] }, meanTarget = targets.reduce(0, +) / 80
        let squared = zip(outputs, targets).reduce(0) { $0 + ($1.1 - $1.0) * ($1.1 - $1.0) }
        let absolute = zip(outputs, targets).reduce(0) { $0 + abs($1.1 - $1.0) }
        let total = targets.reduce(0) { $0 + ($1 - meanTarget) * ($1 - meanTarget) }
        // Printed with 4 decimals: within half a unit of the last place.
        #expect(abs(mse - squared / 80) <= 0.5e-4 + 1e-9, "mse \(mse) vs \(squared / 80)")
        #expect(abs(mae - absolute / 80) <= 0.5e-4 + 1e-9, "mae \(mae) vs \(absolute / 80)")
        #expect(abs(r2 - (1 - squared / total)) <= 0.5e-4 + 1e-9, "r2 \(r2) vs \(1 - squared / total)")
        // One target: the quadratic loss is half the MSE.
        #expect(abs(loss - squared / 160) <= 0.5e-4 + 1e-9, "loss \(loss) vs mse/2 \(squared / 160)")
        #expect(r2 > 0.5, "the fit explains most of the variance: r2 \(r2)")
    }
}
