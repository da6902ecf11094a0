import LinearAlgebra
@testable import NeuralNetwork

/// Every backend compiled into this build (reference, swift, and openblas with the trait).
let compiledBackends: [any GEMMBackend] = BackendKind.compiled.map { try! $0.make() }

/// The fast backends compiled into this build.
let fastBackends: [any GEMMBackend] = BackendKind.fast.map { try! $0.make() }

/// A matrix of N(0, sigma²) entries from a fixed seed.
func randomMatrix(rows: Int, columns: Int, seed: UInt64, sigma: Double = 1) -> Matrix {
    var generator = SeededGenerator(seed: seed)
    return Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in Float(sigma * generator.nextNormal()) })
}

/// One-hot rows for labels drawn from a fixed seed.
func oneHotTargets(rows: Int, classes: Int, seed: UInt64) -> Matrix {
    var generator = SeededGenerator(seed: seed)
    var m = Matrix(rows: rows, columns: classes)
    for i in 0..<rows { m[i, generator.nextIndex(below: classes)] = 1 }
    return m
}

/// Normwise relative difference of two arrays, measured against the second.
func relativeDifference(_ x: [Float], _ y: [Double]) -> Double {
    var difference = 0.0, scale = 0.0
    for (u, v) in zip(x, y) {
        difference = max(difference, abs(Double(u) - v))
        scale = max(scale, abs(v))
    }
    return difference / max(scale, 1e-30)
}

/// A data set of real-valued rows.
func regressionDataset(_ inputs: Matrix, _ targets: Matrix) -> Dataset {
    try! Dataset(count: inputs.rows, featureCount: inputs.columns, features: .floats(inputs.elements),
            targets: .values(targets.elements, width: targets.columns))
}
