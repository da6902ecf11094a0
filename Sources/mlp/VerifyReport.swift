import NeuralNetwork

/// What `mlp train --verify` prints: per layer, how far the two backends disagree.
///
/// Two sources: the ``CheckingBackend`` saw every GEMM of the run on both backends (forward
/// product, propagated error, weight gradient), and one backpropagation of the trained network
/// on the first batch with each backend gives the four equations side by side: the output
/// error Delta^L, the propagated errors Delta^l, and the bias and weight gradients.
struct VerifyReport {
    let checker: CheckingBackend
    let network: Network
    let data: Dataset
    let batchSize: Int

    func print() throws {
        let rows = min(batchSize, data.count)
        var inputs = Matrix(rows: rows, columns: data.featureCount)
        var targets = Matrix(rows: rows, columns: data.targetWidth)
        inputs.withUnsafeMutableBufferPointer { x in
            targets.withUnsafeMutableBufferPointer { y in data.copyBatch(0..<rows, inputs: x.baseAddress!, targets: y.baseAddress!) }
        }
        let primary = try network.backpropagationTrace(inputs: inputs, targets: targets, backend: checker.primary)
        let other = try network.backpropagationTrace(inputs: inputs, targets: targets, backend: checker.reference)
        let differences = primary.differences(from: other)
        let report = checker.report

        Swift.print("verify: \(checker.primary.name) against \(checker.reference.name), largest relative difference")
        Swift.print("layer  equation            one batch     all GEMMs of the run")
        let last = network.layers.count - 1
        for (l, d) in differences.enumerated() {
            let error = l == last ? "output error" : "propagated error"
            let lines: [(String, Double, GEMMCallSite?)] = [
                ("forward (Z)", d.preactivation, GEMMCallSite(layer: l, product: .forward)),
                (error, d.delta, l == last ? nil : GEMMCallSite(layer: l + 1, product: .propagatedError)),
                ("bias gradient", d.biasGradient, nil),
                ("weight gradient", d.weightGradient, GEMMCallSite(layer: l, product: .weightGradient)),
            ]
            for (name, value, site) in lines {
                let whole = site.flatMap { report[$0] }.map { "\(scientific($0.maxRelativeDifference)) over \($0.calls) calls" } ?? "-"
                Swift.print(pad("\(l)", 5) + "  " + pad(name, 18) + "  " + pad(scientific(value), 12) + "  " + whole)
            }
        }
    }
}
