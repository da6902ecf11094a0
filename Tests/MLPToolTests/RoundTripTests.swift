import Foundation
import Testing

/// train -> save -> info / evaluate / predict through the built binary, with every printed
/// figure recomputed independently from what the tool printed elsewhere.
@Suite struct RoundTripTests {
    @Test func trainEvaluatePredict() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("blobs.csv"), model = folder.appendingPathComponent("model.safetensors")
        let csv = blobsCSV()
        try data.write(csv)

        let train = try runTool(["train", "--data", data.path, "--layers", "2,8,3", "--activation", "tanh",
                                 "--epochs", "40", "--batch-size", "16", "--learning-rate", "0.05", "--seed", "5",
                                 "--save", model.path, "--json", "--backend", "reference"])
        #expect(train.exitStatus == 0, "\(train.standardError)")
        // --json: one object per epoch, numbered 1..., with loss and accuracy.
        let lines = train.standardOutput.split(separator: "\n")
        #expect(lines.count == 40)
        for (index, line) in lines.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["epoch"] as? Int == index + 1)
            #expect((object["loss"] as? Double).map { $0.isFinite && $0 >= 0 } == true)
            #expect((object["accuracy"] as? Double).map { (0...1).contains($0) } == true)
        }
        #expect(FileManager.default.fileExists(atPath: model.path))

        let info = try runTool(["info", model.path])
        #expect(info.exitStatus == 0)
        #expect(info.standardOutput.contains("architecture  2-8(tanh)-3(softmax), cross-entropy"))
        #expect(info.standardOutput.contains("parameters    51"))  // 8*2+8 + 3*8+3

        // predict on the features; its classes give the accuracy evaluate must print.
        let rows = parseCSV(csv.split(separator: "\n").dropFirst().joined(separator: "\n"))
        let features = folder.appendingPathComponent("features.csv")
        try features.write(rows.map { "\($0[1]),\($0[2])" }.joined(separator: "\n") + "\n")
        let predict = try runTool(["predict", "--model", model.path, "--input", features.path])
        #expect(predict.exitStatus == 0, "\(predict.standardError)")
        let classes = predict.standardOutput.split(separator: "\n").map { Int($0)! }
        #expect(classes.count == rows.count)
        let right = zip(classes, rows).filter { $0 == Int($1[0]) }.count
        let accuracy = Double(right) / Double(rows.count)
        #expect(accuracy > 0.9, "blobs should be easy; accuracy \(accuracy)")

        let evaluate = try runTool(["evaluate", "--model", model.path, "--data", data.path])
        #expect(evaluate.exitStatus == 0, "\(evaluate.standardError)")
        #expect(evaluate.standardOutput.contains("samples   150"))
        #expect(evaluate.standardOutput.contains("accuracy  " + String(format: "%.4f", accuracy)),
                "evaluate:\n\(evaluate.standardOutput)\nexpected accuracy \(accuracy)")
        // The confusion matrix rows sum to the class sizes (50 each), and its diagonal to `right`.
        let matrixLines = evaluate.standardOutput.components(separatedBy: "columns: predicted class)\n")[1]
            .split(separator: "\n").dropFirst()
        let matrix = matrixLines.map { $0.split(separator: " ").dropFirst().map { Int($0)! } }
        #expect(matrix.map { $0.reduce(0, +) } == [50, 50, 50])
        #expect((0..<3).map { matrix[$0][$0] }.reduce(0, +) == right)

        // --probabilities: rows of the softmax, summing to 1, whose argmax is the class.
        let probabilities = try runTool(["predict", "--model", model.path, "--input", features.path, "--probabilities"])
        let vectors = parseCSV(probabilities.standardOutput)
        #expect(vectors.count == rows.count)
        for (vector, c) in zip(vectors, classes) {
            #expect(abs(vector.reduce(0, +) - 1) < 1e-5)
            #expect(vector.firstIndex(of: vector.max()!) == c)
        }
    }

    @Test func trainsOnTheBuiltInSpiralsWithoutData() throws {
        let run = try runTool(["train", "--epochs", "2", "--threads", "1"])
        #expect(run.exitStatus == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("epoch 1/2"))
        #expect(run.standardError.contains("on 1000 samples"))
    }

    @Test func gradcheckPassesAndReportsEveryLayer() throws {
        let run = try runTool(["gradcheck", "--layers", "3,6,5,2", "--activation", "elu", "--output", "sigmoid"])
        #expect(run.exitStatus == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.contains("3-6(elu)-5(elu)-2(sigmoid), binary-cross-entropy"))
        let layerLines = run.standardOutput.split(separator: "\n").filter { $0.first.map { "012".contains($0) } == true }
        #expect(layerLines.count == 3)
        #expect(run.standardOutput.contains(": ok"))
    }

    @Test func plotsAreWritten() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let curve = folder.appendingPathComponent("curve.svg"), boundary = folder.appendingPathComponent("boundary.svg")
        let run = try runTool(["train", "--epochs", "3", "--plot", curve.path, "--plot-boundary", boundary.path, "--validation-split", "0.2"])
        #expect(run.exitStatus == 0, "\(run.standardError)")
        let curveText = try String(contentsOf: curve, encoding: .utf8)
        #expect(curveText.hasPrefix("<svg") && curveText.contains("validation") && curveText.contains("Accuracy per epoch"))
        let boundaryText = try String(contentsOf: boundary, encoding: .utf8)
        #expect(boundaryText.hasPrefix("<svg") && boundaryText.components(separatedBy: "<circle").count == 1001)  // every sample, validation ones included
    }

    @Test func verifyReportsEveryLayerAndEquation() throws {
        let run = try runTool(["train", "--epochs", "1", "--verify"])
        #expect(run.exitStatus == 0, "\(run.standardError)")
        for equation in ["forward (Z)", "output error", "propagated error", "bias gradient", "weight gradient"] {
            #expect(run.standardOutput.contains(equation), "--verify lacks \(equation)")
        }
    }
}
