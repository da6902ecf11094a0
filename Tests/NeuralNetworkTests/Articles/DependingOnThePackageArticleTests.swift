import Foundation
import NeuralNetwork
import Testing

/// The "Your own data" code of the article "Depending on the package", run as it is printed
/// there (``ArticleCodeTests`` checks that the article still prints exactly this); the app
/// itself is `Examples/SpiralsApp`, run by `make example`.
@Suite("Article: depending on the package")
struct DependingOnThePackageArticleTests {
    /// 200 rows of a header line, a feature in thousands, one in thousandths, and a label that
    /// is 1 where the two, each scaled to about 1, sum above 1.
    static func mixedScaleCSV() -> String {
        var generator = SeededGenerator(seed: 11)
        var lines = ["area,thickness,label"]
        for _ in 0..<200 {
            let area = Double.random(in: 0...2000, using: &generator), thickness = Double.random(in: 0...0.002, using: &generator)
            lines.append("\(area),\(thickness),\(area / 2000 + thickness / 0.002 > 1 ? 1 : 0)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func yourOwnData() throws {
        let csvPath = FileManager.default.temporaryDirectory.appendingPathComponent("article-\(UUID().uuidString).csv").path
        try Self.mixedScaleCSV().write(toFile: csvPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: csvPath) }

        // A CSV file with a header line; the column "label" holds classes 0, 1, ...; every other column is a feature.
        let table = try CSVDataset.load(csvPath, targets: .classLabel(column: "label"))
        let (rows, heldOut) = try table.shuffledSplit(validationFraction: 0.25, seed: 7, stratified: true)
        var classifier = try Network(sizes: [table.featureCount, 16, table.targetWidth], hiddenActivation: .relu,
                                     outputActivation: .softmax, loss: .crossEntropy, seed: 3)
        try classifier.setStandardizer(try Standardizer(fittedTo: rows))

        // Raw held-out features as a matrix, and a data set made from matrices.
        let heldOutFeatures = heldOut.featureMatrix
        let sameRows = try Dataset(features: heldOutFeatures, labels: heldOut.labels ?? [])

        #expect(table.count == 200 && table.featureCount == 2 && table.targetWidth == 2)
        #expect(rows.count == 150 && heldOut.count == 50)
        #expect(heldOutFeatures.rows == 50 && heldOutFeatures.columns == 2)
        #expect(sameRows.labels == heldOut.labels && sameRows.featureMatrix == heldOutFeatures)
        // The feature in thousands and the one in thousandths both end near unit scale.
        let scale = try #require(classifier.standardizer?.scale)
        #expect(scale[0] > 400 && scale[0] < 700 && scale[1] > 0.0004 && scale[1] < 0.0007, "\(scale)")

        let trainer = try Trainer(network: classifier, optimizer: try Adam(learningRate: 0.02), backend: ReferenceBackend(),
                                  options: TrainingOptions(batchSize: 16, epochs: 60))
        try trainer.train(on: rows)
        let predicted = trainer.network.predictedClasses(outputs: try trainer.network.predict(heldOutFeatures, backend: ReferenceBackend()))
        let correct = zip(predicted, heldOut.labels ?? []).filter { $0 == $1 }.count
        #expect(correct >= 46, "\(correct) of 50 held-out rows right")
        let evaluation = try trainer.network.evaluate(sameRows, backend: ReferenceBackend())
        #expect(evaluation.accuracy == Double(correct) / 50)
    }
}
