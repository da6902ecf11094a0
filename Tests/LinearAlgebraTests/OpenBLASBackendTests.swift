@testable import LinearAlgebra
import Testing

/// Tests of the OpenBLAS backend's own logic. The type exists only with the `OpenBLAS` trait;
/// SwiftPM passes enabled traits as compilation conditions to the test target too, and
/// ``traitConditionMatchesBuild()`` makes sure a build with OpenBLAS never skips these silently.
@Suite struct OpenBLASBackendTests {
    @Test("the trait condition seen here matches the library's")
    func traitConditionMatchesBuild() {
        #if OpenBLAS
        #expect(BackendKind.isOpenBLASCompiled)
        #else
        #expect(!BackendKind.isOpenBLASCompiled)
        #endif
    }

    #if OpenBLAS
    @Test("dimensions beyond the cblas limit are cut into blocks and k-panels that sum correctly",
          arguments: [1, 2, 3, 5])
    func chunking(_ largestDimension: Int) {
        let chunked = OpenBLASBackend(threads: 1, largestDimension: largestDimension)
        for transA in Transpose.allCases {
            for transB in Transpose.allCases {
                for (alpha, beta): (Float, Float) in [(1, 0), (0.5, -1)] {
                    let problem = GEMMProblem(transA, transB, m: 7, n: 11, k: 13, alpha: alpha, beta: beta)
                    problem.expectAgreement(problem.run(chunked), problem.run(ReferenceBackend()),
                                            tolerance: problem.tolerance(), backend: "openblas-chunk-\(largestDimension)")
                }
            }
        }
    }

    @Test("backends with different thread counts can alternate")
    func alternatingThreads() {
        let problem = GEMMProblem(.none, .none, m: 64, n: 64, k: 64, alpha: 1, beta: 0)
        let expected = problem.run(ReferenceBackend())
        for threads in [1, 2, 1, 2] {
            problem.expectAgreement(problem.run(OpenBLASBackend(threads: threads)), expected,
                                    tolerance: problem.tolerance(), backend: "openblas-\(threads)")
        }
    }
    #endif
}
