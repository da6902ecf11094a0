/// Whether a GEMM operand enters the product as stored or transposed: op(X) = X or X^T.
public enum Transpose: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// op(X) = X.
    case none
    /// op(X) = X^T.
    case transposed

    /// `"N"` or `"T"`, as BLAS spells it.
    public var description: String { self == .none ? "N" : "T" }
}
