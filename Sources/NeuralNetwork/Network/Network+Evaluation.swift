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
    /// Loss and accuracy over `dataset` (raw features: the network applies its
    /// ``standardizer``), forward passes in batches of `batchSize` rows.
    ///
    /// The loss is the network's own (for ``Loss/quadratic``, 1/2 the mean squared error summed
    /// over the outputs); for real-valued targets see also ``regressionMetrics(on:backend:)``.
    ///
    /// - Throws: ``NetworkError/dataShape(what:expected:got:)`` when the data set's feature or
    ///   target width does not fit the network.
    public func evaluate(_ dataset: Dataset, batchSize: Int = Network.defaultInferenceBatchSize,
                         backend: any GEMMBackend) throws(NetworkError) -> Evaluation {
        try checkDataset(dataset)
        guard dataset.count > 0 else { return Evaluation(count: 0, loss: 0, accuracy: reportsAccuracy(on: dataset) ? 0 : nil) }
        return evaluate(dataset, workspace: inferenceWorkspace(rows: dataset.count, batchSize: batchSize), backend: backend)
    }

    /// ``evaluate(_:batchSize:backend:)`` in a given workspace (batches of its capacity).
    func evaluate(_ dataset: Dataset, workspace: Workspace, backend: any GEMMBackend) -> Evaluation {
        var lossSum = 0.0, correct = 0
        forEachInferenceBatch(.dataset(dataset, targets: true), count: dataset.count, workspace: workspace, backend: backend) { _, rows in
            lossSum += self.lossSum(workspace, rows: rows)
            correct += correctCount(workspace, rows: rows)
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
