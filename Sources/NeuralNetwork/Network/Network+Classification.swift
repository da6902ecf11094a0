extension Network {
    /// The class an output row stands for: the index of the largest output (the first of
    /// equals), or, for a single output unit (sigmoid), 1 when it is at least 0.5.
    public static func predictedClass(_ row: UnsafeBufferPointer<Float>) -> Int32 {
        if row.count == 1 { return row[0] >= 0.5 ? 1 : 0 }
        var best = 0
        for j in 1..<row.count where row[j] > row[best] { best = j }
        return Int32(best)
    }

    /// The outputs for every sample of `dataset`, one row each, in batches of `batchSize`.
    ///
    /// - Throws: ``NetworkError/dataShape(what:expected:got:)`` when the features do not fit.
    public func outputs(for dataset: Dataset, backend: any GEMMBackend, batchSize: Int = 1024) throws(NetworkError) -> Matrix {
        guard dataset.featureCount == inputSize else {
            throw .dataShape(what: "input", expected: inputSize, got: dataset.featureCount)
        }
        var result = Matrix(rows: dataset.count, columns: outputSize)
        guard dataset.count > 0 else { return result }
        // One workspace for every batch, as evaluate uses; targets go to a scratch buffer of
        // their own, since a data set for prediction may have none (or another width).
        let workspace = Workspace(for: self, capacity: min(max(batchSize, 1), dataset.count))
        var targets = [Float](repeating: 0, count: workspace.capacity * max(dataset.targetWidth, 1))
        let last = kinds.count - 1
        var start = 0
        while start < dataset.count {
            let rows = min(workspace.capacity, dataset.count - start)
            targets.withUnsafeMutableBufferPointer { y in
                dataset.copyBatch(start..<(start + rows), inputs: workspace.inputs, targets: y.baseAddress!)
            }
            infer(workspace, rows: rows, backend: backend)
            result.withUnsafeMutableBufferPointer { out in
                (out.baseAddress! + start * outputSize).update(from: workspace.outputs[last], count: rows * outputSize)
            }
            start += rows
        }
        return result
    }

    /// The predicted class of every sample of `dataset` (see ``predictedClass(_:)``).
    public func predictedClasses(for dataset: Dataset, backend: any GEMMBackend, batchSize: Int = 1024) throws(NetworkError) -> [Int32] {
        Self.predictedClasses(try outputs(for: dataset, backend: backend, batchSize: batchSize))
    }

    /// The predicted class of every row of `outputs`.
    public static func predictedClasses(_ outputs: Matrix) -> [Int32] {
        outputs.withUnsafeBufferPointer { o in
            (0..<outputs.rows).map { i in
                predictedClass(UnsafeBufferPointer(rebasing: o[(i * outputs.columns)..<((i + 1) * outputs.columns)]))
            }
        }
    }
}
