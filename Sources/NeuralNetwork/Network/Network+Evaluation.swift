/// The loss and accuracy of a network over a data set.
public struct Evaluation: Sendable, Equatable {
    /// Samples evaluated.
    public var count: Int
    /// The mean loss over all samples.
    public var loss: Double
    /// The fraction of samples right (largest output = label, or the same side of 0.5 for a
    /// single output); nil for real-valued targets under the quadratic loss (regression).
    public var accuracy: Double?
}

extension Network {
    /// Loss and accuracy over `dataset`, forward passes in batches of `batchSize` rows.
    ///
    /// - Throws: ``NetworkError/dataShape(what:expected:got:)`` when the data set's feature or
    ///   target width does not fit the network.
    public func evaluate(_ dataset: Dataset, batchSize: Int = 256, backend: any GEMMBackend) throws(NetworkError) -> Evaluation {
        try checkDataset(dataset)
        guard dataset.count > 0 else { return Evaluation(count: 0, loss: 0, accuracy: reportsAccuracy(on: dataset) ? 0 : nil) }
        let workspace = Workspace(for: self, capacity: min(max(batchSize, 1), dataset.count))
        return evaluate(dataset, workspace: workspace, backend: backend)
    }

    /// ``evaluate(_:batchSize:backend:)`` in a given workspace (batches of its capacity).
    func evaluate(_ dataset: Dataset, workspace: Workspace, backend: any GEMMBackend) -> Evaluation {
        var lossSum = 0.0, correct = 0, start = 0
        while start < dataset.count {
            let rows = min(workspace.capacity, dataset.count - start)
            dataset.copyBatch(start..<(start + rows), inputs: workspace.inputs, targets: workspace.targets)
            infer(workspace, rows: rows, backend: backend)
            lossSum += self.lossSum(workspace, rows: rows)
            correct += correctCount(workspace, rows: rows)
            start += rows
        }
        let n = Double(max(dataset.count, 1))
        return Evaluation(count: dataset.count, loss: lossSum / n, accuracy: reportsAccuracy(on: dataset) ? Double(correct) / n : nil)
    }

    /// Whether accuracy means something for this data: class labels, or target rows under a
    /// classification loss (one-hot or probabilities for cross-entropy, 0/1 for binary
    /// cross-entropy).
    func reportsAccuracy(on dataset: Dataset) -> Bool {
        dataset.labels != nil || loss != .quadratic
    }

    func checkDataset(_ dataset: Dataset) throws(NetworkError) {
        guard dataset.featureCount == inputSize else {
            throw .dataShape(what: "data set features", expected: inputSize, got: dataset.featureCount)
        }
        guard dataset.targetWidth == outputSize else {
            throw .dataShape(what: "data set targets", expected: outputSize, got: dataset.targetWidth)
        }
    }
}
