extension Network {
    /// The class an output row stands for: the index of the largest output (the first of
    /// equals), or, for a single output unit (sigmoid), 1 when it is at least 0.5.
    static func predictedClass(_ row: UnsafeBufferPointer<Float>) -> Int32 {
        if row.count == 1 { return row[0] >= 0.5 ? 1 : 0 }
        var best = 0
        for j in 1..<row.count where row[j] > row[best] { best = j }
        return Int32(best)
    }

    /// The predicted class of every sample of `dataset` (see ``predictedClasses(outputs:)``),
    /// from ``outputs(for:backend:batchSize:)``.
    public func predictedClasses(for dataset: Dataset, backend: any GEMMBackend,
                                 batchSize: Int = Network.defaultInferenceBatchSize) throws(NetworkError) -> [Int32] {
        predictedClasses(outputs: try outputs(for: dataset, backend: backend, batchSize: batchSize))
    }

    /// The predicted class of every row of `outputs` (this network's outputs, as
    /// ``predict(_:backend:batchSize:)`` returns them): the index of the row's largest output
    /// (the first of equals), or, for a single output unit (sigmoid), 1 when it is at least 0.5.
    public func predictedClasses(outputs: Matrix) -> [Int32] {
        outputs.withUnsafeBufferPointer { o in
            (0..<outputs.rows).map { i in
                Self.predictedClass(UnsafeBufferPointer(rebasing: o[(i * outputs.columns)..<((i + 1) * outputs.columns)]))
            }
        }
    }
}
