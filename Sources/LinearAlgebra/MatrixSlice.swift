/// A contiguous range of rows of a ``Matrix``, sharing its storage.
///
/// Taking a slice is O(1): a mini-batch of a data set is a slice, not a copy.
public struct MatrixSlice: Sendable {
    /// Number of rows in the view.
    public let rows: Int
    /// Number of columns (the same as the matrix it came from).
    public let columns: Int
    /// The viewed entries, row-major, leading dimension `columns`.
    public let elements: ArraySlice<Float>

    /// A copy of the viewed rows as a matrix of their own.
    public var matrix: Matrix { Matrix(rows: rows, columns: columns, elements: Array(elements)) }

    /// Calls `body` with the viewed entries as a read-only buffer.
    @inlinable
    public func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        try elements.withUnsafeBufferPointer { buffer throws(E) in try body(buffer) }
    }
}
