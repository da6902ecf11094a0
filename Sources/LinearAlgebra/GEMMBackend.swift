/// A single-precision general matrix multiply, the one operation SwiftMLP stands on:
///
///     C <- alpha op(A) op(B) + beta C
///
/// with op(A) of shape m x k, op(B) of shape k x n and C of shape m x n, every matrix
/// row-major with a leading dimension (the distance in elements between two rows), so a
/// strided sub-matrix is multiplied in place.
///
/// The contract every backend keeps:
/// - `beta == 0` means C is never read: NaN or garbage in C does not reach the result.
/// - Nothing outside the m x n window of C (as laid out by `ldc`) is written.
/// - `m == 0` or `n == 0` is a no-op; `k == 0` (or `alpha == 0`) leaves `beta C`.
///
/// Conforming types implement ``gemmKernel(_:site:)``, which is only ever called with
/// `m, n, k >= 1` and valid leading dimensions; callers use
/// ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:site:)``, which checks the shapes and
/// handles the degenerate cases once for all backends.
public protocol GEMMBackend: Sendable {
    /// The name the command line and the benchmark use (`reference`, `openblas`, `swift`, ...).
    var name: String { get }

    /// The number of threads one product may use.
    var threads: Int { get }

    /// C <- alpha op(A) op(B) + beta C for `m, n, k >= 1` and already validated leading dimensions.
    ///
    /// - Parameters:
    ///   - operands: the product's sizes, scalars, transposes and matrices.
    ///   - site: where the product is called from (only ``CheckingBackend`` and profilers look
    ///     at it).
    func gemmKernel(_ operands: GEMMOperands, site: GEMMCallSite)
}

extension GEMMBackend {
    /// C <- alpha op(A) op(B) + beta C, with every shape checked (see ``GEMMBackend``).
    ///
    /// - Precondition: `m, n, k >= 0`; `lda >= max(1, columns of A as stored)`, likewise `ldb`
    ///   and `ldc >= max(1, n)`; pointers non-nil wherever the product reads or writes them.
    @inlinable
    public func gemm(
        transA: Transpose, transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float,
        a: UnsafePointer<Float>?, lda: Int,
        b: UnsafePointer<Float>?, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>?, ldc: Int,
        site: GEMMCallSite = .unlabelled
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative dimension m=\(m) n=\(n) k=\(k)")
        let storedColumnsA = transA == .none ? k : m
        let storedColumnsB = transB == .none ? n : k
        precondition(
            lda >= max(1, storedColumnsA) && ldb >= max(1, storedColumnsB) && ldc >= max(1, n),
            "gemm: leading dimensions lda=\(lda) ldb=\(ldb) ldc=\(ldc) too small for op(A) \(m)x\(k) (\(transA)), op(B) \(k)x\(n) (\(transB)), C \(m)x\(n)")
        if m == 0 || n == 0 { return }
        guard let c else { preconditionFailure("gemm: C is nil for a \(m)x\(n) product") }
        if k == 0 || alpha == 0 {
            scaleMatrix(c, rows: m, columns: n, ld: ldc, by: beta)
            return
        }
        guard let a, let b else { preconditionFailure("gemm: A or B is nil for k=\(k)") }
        gemmKernel(GEMMOperands(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc), site: site)
    }

    /// C <- alpha op(A) op(B) + beta C on whole matrices.
    ///
    /// - Precondition: op(A) is m x k, op(B) is k x n and C is m x n; the message names all three shapes.
    public func gemm(
        _ a: Matrix, _ transA: Transpose = .none,
        _ b: Matrix, _ transB: Transpose = .none,
        alpha: Float = 1, beta: Float = 0,
        into c: inout Matrix,
        site: GEMMCallSite = .unlabelled
    ) {
        let (m, k) = transA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        let (kB, n) = transB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
        precondition(
            k == kB && c.rows == m && c.columns == n,
            "gemm: shapes do not agree: op(A) is \(m)x\(k), op(B) is \(kB)x\(n), C is \(c.rows)x\(c.columns)")
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                         a: pa.baseAddress, lda: max(1, a.columns),
                         b: pb.baseAddress, ldb: max(1, b.columns),
                         beta: beta, c: pc.baseAddress, ldc: max(1, n), site: site)
                }
            }
        }
    }

    /// op(A) op(B) as a new matrix.
    public func multiply(_ a: Matrix, _ transA: Transpose = .none, _ b: Matrix, _ transB: Transpose = .none) -> Matrix {
        let m = transA == .none ? a.rows : a.columns
        let n = transB == .none ? b.columns : b.rows
        var c = Matrix(rows: m, columns: n)
        gemm(a, transA, b, transB, into: &c)
        return c
    }
}

/// C <- beta C on an m x n window, writing zeros (never reading C) when `beta == 0`.
@usableFromInline
func scaleMatrix(_ c: UnsafeMutablePointer<Float>, rows m: Int, columns n: Int, ld: Int, by beta: Float) {
    if beta == 1 { return }
    for i in 0..<m {
        let row = c + i * ld
        if beta == 0 {
            row.update(repeating: 0, count: n)
        } else {
            for j in 0..<n { row[j] *= beta }
        }
    }
}
