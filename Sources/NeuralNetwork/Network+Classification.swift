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
        let rowsPerBatch = max(1, min(batchSize, dataset.count))
        var inputs = Matrix(rows: rowsPerBatch, columns: inputSize)
        var targets = [Float](repeating: 0, count: rowsPerBatch * max(dataset.targetWidth, 1))
        var start = 0
        while start < dataset.count {
            let rows = min(rowsPerBatch, dataset.count - start)
            if rows < inputs.rows { inputs = Matrix(rows: rows, columns: inputSize) }
            inputs.withUnsafeMutableBufferPointer { x in
                targets.withUnsafeMutableBufferPointer { y in
                    dataset.copyBatch(start..<(start + rows), inputs: x.baseAddress!, targets: y.baseAddress!)
                }
            }
            let batchOutputs = try predict(inputs, backend: backend, batchSize: rows)
            result.withUnsafeMutableBufferPointer { out in
                batchOutputs.withUnsafeBufferPointer { b in
                    (out.baseAddress! + start * outputSize).update(from: b.baseAddress!, count: b.count)
                }
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
