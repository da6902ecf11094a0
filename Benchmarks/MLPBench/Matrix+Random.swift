import LinearAlgebra

extension Matrix {
    /// A rows x columns matrix of values uniform in [-1, 1].
    static func random(_ rows: Int, _ columns: Int, _ generator: inout some RandomNumberGenerator) -> Matrix {
        Matrix(rows: rows, columns: columns,
               elements: (0..<rows * columns).map { _ in Float.random(in: -1...1, using: &generator) })
    }
}
