@testable import LinearAlgebra
import Testing
import TestSupport

/// A value that no GEMM computes from the test data: what is found outside a window of C must
/// still be this, bit for bit.
let sentinel: Float = -7777.25

/// A row-major matrix stored inside a larger buffer: `rows x columns` at row `top`, column
/// `left` of a buffer whose rows are `ld` floats apart, everything else filled with `padding`.
struct StridedMatrix {
    let rows: Int, columns: Int
    let ld: Int
    let top: Int, left: Int
    var storage: [Float]
    let padding: Float

    /// A window of `rows x columns` with `extraColumns` more per row and a border of one row
    /// above and below; the window holds `fill(i, j)`, the rest `padding`.
    init(rows: Int, columns: Int, extraColumns: Int, padding: Float, fill: (Int, Int) -> Float) {
        self.rows = rows
        self.columns = columns
        self.padding = padding
        ld = max(1, columns + extraColumns)
        (top, left) = extraColumns > 0 ? (1, min(2, extraColumns)) : (0, 0)
        let bufferRows = rows + 2 * top
        storage = Array(repeating: padding, count: bufferRows * ld + left)
        for i in 0..<rows {
            for j in 0..<columns { storage[offset + i * ld + j] = fill(i, j) }
        }
    }

    /// Index of the window's (0, 0) in ``storage``.
    var offset: Int { top * ld + left }

    subscript(i: Int, j: Int) -> Float { storage[offset + i * ld + j] }

    /// Entries outside the window that are no longer `padding` (bitwise), as (index, value).
    var touchedOutside: [(index: Int, value: Float)] {
        var touched: [(Int, Float)] = []
        for index in storage.indices {
            let relative = index - offset
            let i = relative >= 0 ? relative / ld : -1
            let j = relative >= 0 ? relative % ld : -1
            let inside = i >= 0 && i < rows && j >= 0 && j < columns
            if !inside && storage[index].bitPattern != padding.bitPattern { touched.append((index, storage[index])) }
        }
        return touched
    }
}

/// One GEMM problem: transposes, shape, scalars and strided operands.
struct GEMMProblem: CustomStringConvertible {
    let transA: Transpose, transB: Transpose
    let m: Int, n: Int, k: Int
    let alpha: Float, beta: Float
    /// A as stored (m x k, or k x m when transposed), NaN in its padding.
    let a: StridedMatrix
    /// B as stored (k x n, or n x k when transposed), NaN in its padding.
    let b: StridedMatrix
    /// C before the product: NaN in the window when beta == 0, sentinels around it.
    let c: StridedMatrix

    init(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
         alpha: Float, beta: Float, padded: Bool = true, seed: UInt64 = 1) {
        (self.transA, self.transB, self.m, self.n, self.k, self.alpha, self.beta) = (transA, transB, m, n, k, alpha, beta)
        var generator = SplitMix64(seed: seed &+ UInt64(m * 1_000_003 + n * 1_009 + k))
        func random(_: Int, _: Int) -> Float { Float.random(in: -1...1, using: &generator) }
        let (aRows, aColumns) = transA == .none ? (m, k) : (k, m)
        let (bRows, bColumns) = transB == .none ? (k, n) : (n, k)
        a = StridedMatrix(rows: aRows, columns: aColumns, extraColumns: padded ? 3 : 0, padding: .nan, fill: random)
        b = StridedMatrix(rows: bRows, columns: bColumns, extraColumns: padded ? 5 : 0, padding: .nan, fill: random)
        c = StridedMatrix(rows: m, columns: n, extraColumns: padded ? 4 : 0, padding: sentinel,
                          fill: beta == 0 ? { _, _ in .nan } : random)
    }

    var description: String {
        "\(transA)\(transB) m=\(m) n=\(n) k=\(k) alpha=\(alpha) beta=\(beta) lda=\(a.ld) ldb=\(b.ld) ldc=\(c.ld)"
    }

    /// C after `backend` ran the product on a copy of ``c``.
    func run(_ backend: any GEMMBackend) -> StridedMatrix {
        var result = c
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                result.storage.withUnsafeMutableBufferPointer { pc in
                    backend.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                 a: pa.baseAddress! + a.offset, lda: a.ld,
                                 b: pb.baseAddress! + b.offset, ldb: b.ld,
                                 beta: beta, c: pc.baseAddress! + c.offset, ldc: c.ld)
                }
            }
        }
        return result
    }

    /// The allowed error of each entry:
    ///
    ///     tol_ij = 4 (k + 2) eps (|alpha| ||op(A)_i|| ||op(B)^j|| + |beta| |C_ij|)
    ///
    /// the classic bound gamma_k sum_p |a_ip| |b_pj| of a k-term Float dot product (with room for
    /// the alpha, beta and final roundings), where the sum is bounded by Cauchy-Schwarz with the
    /// row norm of op(A) and the column norm of op(B): O(mk + kn) to compute, and for random
    /// data within a few percent of the sum itself.
    func tolerance() -> [[Float]] {
        func opA(_ i: Int, _ p: Int) -> Float { transA == .none ? a[i, p] : a[p, i] }
        func opB(_ p: Int, _ j: Int) -> Float { transB == .none ? b[p, j] : b[j, p] }
        let rowNorms = (0..<m).map { i in (0..<k).reduce(Float(0)) { $0 + opA(i, $1) * opA(i, $1) }.squareRoot() }
        let columnNorms = (0..<n).map { j in (0..<k).reduce(Float(0)) { $0 + opB($1, j) * opB($1, j) }.squareRoot() }
        let scale = 4 * Float(k + 2) * Float.ulpOfOne
        return (0..<m).map { i in
            (0..<n).map { j in
                let previous = beta == 0 ? 0 : abs(beta * c[i, j])
                return scale * (abs(alpha) * rowNorms[i] * columnNorms[j] + previous)
            }
        }
    }

    /// Records an issue naming the worst entry (row, column, got, expected) if `got` differs
    /// from `expected` beyond ``tolerance()`` anywhere, or if anything outside the window of C
    /// was written.
    func expectAgreement(_ got: StridedMatrix, _ expected: StridedMatrix, tolerance: [[Float]],
                         backend: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var worst: (i: Int, j: Int, ratio: Float)? = nil
        for i in 0..<m {
            for j in 0..<n {
                let error = abs(got[i, j] - expected[i, j])
                let ratio = error.isNaN ? .infinity : error / max(tolerance[i][j], .leastNonzeroMagnitude)
                if error > tolerance[i][j] || error.isNaN, ratio > (worst?.ratio ?? -1) { worst = (i, j, ratio) }
            }
        }
        if let worst {
            Issue.record("""
                \(backend) \(self): worst entry C[\(worst.i)][\(worst.j)] = \(got[worst.i, worst.j]), \
                expected \(expected[worst.i, worst.j]) (tolerance \(tolerance[worst.i][worst.j]))
                """, sourceLocation: sourceLocation)
        }
        let touched = got.touchedOutside
        if let first = touched.first {
            Issue.record("\(backend) \(self): \(touched.count) entries outside the C window written, first at storage index \(first.index) = \(first.value)",
                         sourceLocation: sourceLocation)
        }
    }
}

/// The backends under test: every compiled fast backend at 1 and 2 threads, and the Swift
/// backend at 2 threads with no inline limit, so that even the small shapes of the tests go
/// through its threaded path (`@testable`: the limit is internal).
func backendsUnderTest() -> [any GEMMBackend] {
    var backends: [any GEMMBackend] = []
    for kind in BackendKind.compiled where kind != .reference {
        for threads in [1, 2] { backends.append(try! kind.make(threads: threads)) }
    }
    backends.append(SwiftBackend(threads: 2, inlineLimit: 0))
    return backends
}
