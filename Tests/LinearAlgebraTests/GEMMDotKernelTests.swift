@testable import LinearAlgebra
import Testing

/// The few-rows path (``GEMMDotKernel``: C = alpha A B^T + beta C by dot products along B's
/// rows, no packing) against ``ReferenceBackend``, called directly and through the Swift
/// backend at 1 and 2 threads, on strided operands with NaN padding and a C with sentinels
/// around its window.
@Suite struct GEMMDotKernelTests {
    /// Depths around the vector tails of every kernel kind (2 vectors = 8, 16 or 32 floats),
    /// and the standard network's 784, 256, 128.
    static let depths = [1, 7, 9, 16, 17, 31, 33, 784]

    @Test("dot path agrees with the reference over rows 1-8, odd columns, depths across the vector tails, alpha/beta",
          arguments: [1, 2, 3, 5, 8])
    func agreesWithReference(m: Int) {
        for n in [1, 5, 17] {
            for k in Self.depths {
                for (alpha, beta) in [(Float(1), Float(0)), (-0.5, 0), (1, 1), (0.75, -2)] {
                    let problem = GEMMProblem(.none, .transposed, m: m, n: n, k: k, alpha: alpha, beta: beta)
                    let expected = problem.run(ReferenceBackend())
                    let tolerance = problem.tolerance()
                    problem.expectAgreement(problem.runDotKernel(), expected, tolerance: tolerance, backend: "dot kernel")
                    for backend in [SwiftBackend(threads: 1), SwiftBackend(threads: 2, inlineLimit: 0)] {
                        problem.expectAgreement(problem.run(backend), expected, tolerance: tolerance,
                                                backend: "swift \(backend.threads) threads")
                    }
                }
            }
        }
    }

    @Test("the dot path takes exactly NT products of at most rowLimit rows; the other transposes of few rows agree through the packed kernel")
    func scope() {
        #expect(GEMMDotKernel.applies(transA: .none, transB: .transposed, m: 1))
        #expect(GEMMDotKernel.applies(transA: .none, transB: .transposed, m: GEMMDotKernel.rowLimit))
        #expect(!GEMMDotKernel.applies(transA: .none, transB: .transposed, m: GEMMDotKernel.rowLimit + 1))
        #expect(!GEMMDotKernel.applies(transA: .transposed, transB: .transposed, m: 1))
        #expect(!GEMMDotKernel.applies(transA: .none, transB: .none, m: 1))
        for (transA, transB) in [(Transpose.none, Transpose.none), (.transposed, .none), (.transposed, .transposed)] {
            for m in [1, 2, 8, 9] {
                let problem = GEMMProblem(transA, transB, m: m, n: 37, k: 45, alpha: 0.75, beta: -2)
                let expected = problem.run(ReferenceBackend())
                for backend in [SwiftBackend(threads: 1), SwiftBackend(threads: 2, inlineLimit: 0)] {
                    problem.expectAgreement(problem.run(backend), expected, tolerance: problem.tolerance(),
                                            backend: "swift \(backend.threads) threads")
                }
            }
        }
    }
}

extension GEMMProblem {
    /// C after ``GEMMDotKernel/multiply(_:)`` on a copy of ``c``.
    func runDotKernel() -> StridedMatrix {
        precondition(transA == .none && transB == .transposed)
        var result = c
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                result.storage.withUnsafeMutableBufferPointer { pc in
                    GEMMDotKernel.multiply(GEMMOperands(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                                        a: pa.baseAddress! + a.offset, lda: a.ld,
                                                        b: pb.baseAddress! + b.offset, ldb: b.ld,
                                                        beta: beta, c: pc.baseAddress! + c.offset, ldc: c.ld))
                }
            }
        }
        return result
    }
}
