/// A dense matrix of `Float` in row-major order with value semantics.
///
/// Element (i, j) lives at `elements[i * columns + j]`. Copies are cheap until one of them is
/// mutated (copy-on-write through the underlying array). Mini-batches are taken with
/// ``rows(_:)``, which shares storage instead of copying.
public struct Matrix: Equatable, Sendable {
    /// Number of rows (for a batch: samples).
    public let rows: Int
    /// Number of columns (for a batch: features).
    public let columns: Int
    /// The entries, row after row; always `rows * columns` long.
    public var elements: [Float] { storage }
    @usableFromInline var storage: [Float]

    /// A `rows x columns` matrix with every entry equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)x\(columns)")
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        precondition(!overflow, "Matrix: \(rows)x\(columns) overflows Int")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: count)
    }

    /// A `rows x columns` matrix from its entries in row-major order.
    ///
    /// - Precondition: `elements.count == rows * columns`.
    public init(rows: Int, columns: Int, elements: [Float]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)x\(columns)")
        precondition(
            elements.count == rows * columns,
            "Matrix: \(elements.count) elements do not fill a \(rows)x\(columns) matrix (\(rows * columns) needed)")
        self.rows = rows
        self.columns = columns
        self.storage = elements
    }

    /// A matrix from nested rows; every row must have the same length.
    public init(_ nestedRows: [[Float]]) {
        let columns = nestedRows.first?.count ?? 0
        for (index, row) in nestedRows.enumerated() {
            precondition(row.count == columns, "Matrix: row \(index) has \(row.count) entries, row 0 has \(columns)")
        }
        self.init(rows: nestedRows.count, columns: columns, elements: nestedRows.flatMap { $0 })
    }

    /// The entry in row `row`, column `column`.
    @inlinable
    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Matrix: index (\(row), \(column)) outside \(rows)x\(columns)")
            return storage[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Matrix: index (\(row), \(column)) outside \(rows)x\(columns)")
            storage[row * columns + column] = newValue
        }
    }

    /// The shape as `(rows, columns)`.
    public var shape: (rows: Int, columns: Int) { (rows, columns) }

    /// The transpose, as a new matrix.
    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for i in 0..<rows {
            for j in 0..<columns {
                result.storage[j * rows + i] = storage[i * columns + j]
            }
        }
        return result
    }

    /// Calls `body` with the entries as a read-only buffer (row-major, leading dimension `columns`).
    @inlinable
    public func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        try storage.withUnsafeBufferPointer { buffer throws(E) in try body(buffer) }
    }

    /// Calls `body` with the entries as a mutable buffer (row-major, leading dimension `columns`).
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        try storage.withUnsafeMutableBufferPointer { buffer throws(E) in try body(buffer) }
    }

    /// Rows `range` as a view that shares this matrix's storage (no copy).
    public func rows(_ range: Range<Int>) -> MatrixSlice {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows,
                     "Matrix: rows \(range) outside 0..<\(rows)")
        return MatrixSlice(
            rows: range.count, columns: columns,
            elements: elements[(range.lowerBound * columns)..<(range.upperBound * columns)])
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        let body = (0..<rows).map { i in
            (0..<columns).map { j in "\(elements[i * columns + j])" }.joined(separator: ", ")
        }
        return "Matrix \(rows)x\(columns) [" + body.map { "[\($0)]" }.joined(separator: ", ") + "]"
    }
}
