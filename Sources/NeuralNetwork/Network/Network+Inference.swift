/// Inference: forward passes in the inference phase (Dropout the identity, BatchNorm on its
/// running statistics) over many rows, batch after batch through one ``Workspace``.
///
/// ``predict(_:backend:batchSize:)``, ``outputs(for:backend:batchSize:)``,
/// ``predictedClasses(for:backend:batchSize:)`` and ``evaluate(_:batchSize:backend:)`` all run
/// the one loop below, so they batch, standardize (``standardizer``) and compute alike; the
/// batch size changes only memory and speed, never a result.
extension Network {
    /// Rows per forward pass of inference when the caller gives no batch size.
    public static let defaultInferenceBatchSize = 256

    /// Where the rows of an inference run come from.
    enum InferenceSource {
        /// Rows in memory, ``inputSize`` floats each, read where they are (not copied).
        case rows(UnsafePointer<Float>)
        /// The samples of a data set in order, copied into the workspace batch by batch; with
        /// `targets`, their target rows too (for the loss), otherwise the features alone (a set
        /// for prediction may have no targets).
        case dataset(Dataset, targets: Bool)
    }

    /// The inference loop: forward passes over `count` rows of `source` in batches of
    /// `workspace.capacity` rows; after each pass, `body(start, rows)` reads what it needs from
    /// the workspace (the outputs A^L, the targets).
    func forEachInferenceBatch(_ source: InferenceSource, count: Int, workspace: Workspace, backend: any GEMMBackend,
                               _ body: (_ start: Int, _ rows: Int) -> Void) {
        var start = 0
        while start < count {
            let rows = min(workspace.capacity, count - start)
            switch source {
            case .rows(let inputs):
                workspace.withBorrowedInputs(inputs + start * inputSize) { infer(workspace, rows: rows, backend: backend) }
            case .dataset(let dataset, let withTargets):
                if withTargets {
                    dataset.copyBatch(start..<(start + rows), inputs: workspace.inputs, targets: workspace.targets)
                } else {
                    dataset.copyFeatures(start..<(start + rows), into: workspace.inputs)
                }
                infer(workspace, rows: rows, backend: backend)
            }
            body(start, rows)
            start += rows
        }
    }

    /// A workspace for inference over `rows` rows in batches of `batchSize` (sized by the rows
    /// there are, never by the batch size alone; at least one row).
    func inferenceWorkspace(rows: Int, batchSize: Int) -> Workspace {
        Workspace(for: self, capacity: max(min(batchSize, rows), 1))
    }

    /// The outputs A^L of every row of `source` written into `result` (`count x outputSize`).
    private func collectOutputs(_ source: InferenceSource, count: Int, into result: inout Matrix, workspace: Workspace,
                                backend: any GEMMBackend) {
        let last = kinds.count - 1, width = outputSize
        result.withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            forEachInferenceBatch(source, count: count, workspace: workspace, backend: backend) { start, rows in
                (base + start * width).update(from: workspace.outputs[last], count: rows * width)
            }
        }
    }

    /// The outputs A^L for `inputs` (one sample per row, raw features: the network applies its
    /// ``standardizer``), computed in batches of up to `batchSize` rows.
    ///
    /// - Throws: ``NetworkError/dataShape(what:expected:got:)`` when `inputs` has the wrong width.
    public func predict(_ inputs: Matrix, backend: any GEMMBackend,
                        batchSize: Int = Network.defaultInferenceBatchSize) throws(NetworkError) -> Matrix {
        try checkBatch(inputs: inputs)
        var result = Matrix(rows: inputs.rows, columns: outputSize)
        guard inputs.rows > 0 else { return result }
        try predict(inputs, into: &result, workspace: inferenceWorkspace(rows: inputs.rows, batchSize: batchSize), backend: backend)
        return result
    }

    /// The outputs A^L for `inputs` written into `result`, through a caller-kept `workspace`, so
    /// that repeated inference allocates nothing: batches of up to `workspace.capacity` rows.
    ///
    /// - Throws: ``NetworkError/dataShape(what:expected:got:)`` when `inputs` has the wrong width.
    /// - Precondition: `result` is `inputs.rows x outputSize` and `workspace` was made for this network.
    public func predict(_ inputs: Matrix, into result: inout Matrix, workspace: Workspace, backend: any GEMMBackend) throws(NetworkError) {
        try checkBatch(inputs: inputs)
        precondition(result.rows == inputs.rows && result.columns == outputSize,
                     "predict: result is \(result.rows)x\(result.columns), expected \(inputs.rows)x\(outputSize)")
        precondition(workspace.fits(self, rows: 1), "predict: the workspace was made for another network")
        inputs.withUnsafeBufferPointer { x in
            guard let base = x.baseAddress else { return }
            collectOutputs(.rows(base), count: inputs.rows, into: &result, workspace: workspace, backend: backend)
        }
    }

    /// The outputs for every sample of `dataset` (raw features: the network applies its
    /// ``standardizer``), one row each, in batches of `batchSize`. The data set's targets are
    /// not read: it may have none.
    ///
    /// - Throws: ``NetworkError/dataShape(what:expected:got:)`` when the features do not fit.
    public func outputs(for dataset: Dataset, backend: any GEMMBackend,
                        batchSize: Int = Network.defaultInferenceBatchSize) throws(NetworkError) -> Matrix {
        guard dataset.featureCount == inputSize else {
            throw .dataShape(what: "input", expected: inputSize, got: dataset.featureCount)
        }
        var result = Matrix(rows: dataset.count, columns: outputSize)
        guard dataset.count > 0 else { return result }
        collectOutputs(.dataset(dataset, targets: false), count: dataset.count, into: &result,
                       workspace: inferenceWorkspace(rows: dataset.count, batchSize: batchSize), backend: backend)
        return result
    }
}
