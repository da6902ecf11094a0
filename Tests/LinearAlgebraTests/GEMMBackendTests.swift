@testable import LinearAlgebra
import Testing
import TestSupport

/// Every fast backend against ``ReferenceBackend`` (Double accumulation), on strided operands
/// with NaN padding (reading outside A or B poisons the result) and a C with sentinels around
/// its window (writing outside it is caught), over odd shapes, all transposes and several
/// (alpha, beta), including beta = 0 on a C full of NaN.
@Suite struct GEMMBackendTests {
    /// A shape m x n x k and the (alpha, beta) pairs to run it with.
    struct Case: CustomTestStringConvertible, Sendable {
        let m: Int, n: Int, k: Int
        let scalars: [(alpha: Float, beta: Float)]
        var testDescription: String { "\(m)x\(n)x\(k)" }
    }

    static let allScalars: [(alpha: Float, beta: Float)] = [(1, 0), (-0.5, 0), (1, 1), (0.75, -2)]
    static let fewScalars: [(alpha: Float, beta: Float)] = [(1, 0), (0.75, -2)]

    /// Odd sizes around the tile and block edges (MR = 8, NR = 8 or 32, 8x8 packing blocks,
    /// thread bands), and thin mixes.
    static let cases: [Case] =
        [1, 3, 7, 17, 63, 65].map { Case(m: $0, n: $0, k: $0, scalars: allScalars) }
        + [
            Case(m: 127, n: 127, k: 127, scalars: fewScalars),
            Case(m: 17, n: 257, k: 63, scalars: allScalars),
            Case(m: 257, n: 17, k: 63, scalars: allScalars),
            Case(m: 63, n: 65, k: 257, scalars: fewScalars),
            Case(m: 1, n: 257, k: 127, scalars: allScalars),
            Case(m: 257, n: 1, k: 127, scalars: allScalars),
            Case(m: 127, n: 63, k: 1, scalars: allScalars),
            Case(m: 3, n: 7, k: 257, scalars: allScalars),
            Case(m: 65, n: 127, k: 17, scalars: allScalars),
            Case(m: 33, n: 70, k: 400, scalars: fewScalars),  // k > KC: two balanced slices
            Case(m: 136, n: 40, k: 9, scalars: fewScalars),  // m > MC: two row blocks
            Case(m: 9, n: 4133, k: 5, scalars: fewScalars),  // n > NC: two column panels
        ]

    @Test("fast backends agree with the reference", arguments: cases)
    func agreesWithReference(_ shape: Case) {
        for transA in Transpose.allCases {
            for transB in Transpose.allCases {
                for (alpha, beta) in shape.scalars {
                    check(GEMMProblem(transA, transB, m: shape.m, n: shape.n, k: shape.k, alpha: alpha, beta: beta))
                }
            }
        }
    }

    @Test("a 257 x 257 x 257 product, transposed both ways and not")
    func large() {
        check(GEMMProblem(.none, .none, m: 257, n: 257, k: 257, alpha: 1, beta: 0))
        check(GEMMProblem(.transposed, .transposed, m: 257, n: 257, k: 257, alpha: 1.5, beta: 0.5))
    }

    @Test("m, n or k = 0: no-op, or C <- beta C without reading C when beta = 0",
          arguments: [(0, 5, 3), (4, 0, 3), (4, 5, 0), (0, 0, 0)])
    func emptyDimensions(_ shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for (alpha, beta): (Float, Float) in [(1, 0), (2, 0.5), (0, 1)] {
            let problem = GEMMProblem(.none, .transposed, m: m, n: n, k: k, alpha: alpha, beta: beta)
            for backend in backendsUnderTest() {
                let got = problem.run(backend)
                for i in 0..<m {
                    for j in 0..<n {
                        let expected = beta == 0 ? 0 : beta * problem.c[i, j]
                        #expect(got[i, j] == expected, "\(backend.name) \(problem): C[\(i)][\(j)]")
                    }
                }
                #expect(got.touchedOutside.isEmpty, "\(backend.name) \(problem) wrote outside C")
            }
        }
    }

    @Test("tight leading dimensions (no padding), through the Matrix API")
    func tightLayout() {
        for (m, n, k) in [(65, 33, 70), (8, 32, 16), (9, 33, 17)] {
            for transA in Transpose.allCases {
                for transB in Transpose.allCases {
                    check(GEMMProblem(transA, transB, m: m, n: n, k: k, alpha: 1, beta: 0.5, padded: false))
                }
            }
        }
        var generator = SplitMix64(seed: 9)
        let a = Matrix(rows: 40, columns: 30, elements: (0..<1200).map { _ in .random(in: -1...1, using: &generator) })
        let b = Matrix(rows: 50, columns: 30, elements: (0..<1500).map { _ in .random(in: -1...1, using: &generator) })
        let expected = ReferenceBackend().multiply(a, .none, b, .transposed)
        for backend in backendsUnderTest() {
            let product = backend.multiply(a, .none, b, .transposed)
            #expect(maxRelativeDifference(product, expected) < 1e-5, "\(backend.name)")
        }
    }

    @Test("an uneven split over 3 threads, by rows and by columns")
    func threeThreads() {
        let backend = SwiftBackend(threads: 3, inlineLimit: 0)
        for (m, n, k) in [(100, 33, 90), (20, 300, 50)] {
            let problem = GEMMProblem(.none, .none, m: m, n: n, k: k, alpha: 1, beta: 0.5)
            problem.expectAgreement(problem.run(backend), problem.run(ReferenceBackend()),
                                    tolerance: problem.tolerance(), backend: "swift-3")
        }
    }

    /// Runs `problem` on the reference and on every backend under test and compares.
    func check(_ problem: GEMMProblem, sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = problem.run(ReferenceBackend())
        let tolerance = problem.tolerance()
        for backend in backendsUnderTest() {
            problem.expectAgreement(problem.run(backend), expected, tolerance: tolerance,
                                    backend: describe(backend), sourceLocation: sourceLocation)
        }
    }

    /// "swift-2", or "swift-2-threaded" for the instance without an inline limit.
    func describe(_ backend: any GEMMBackend) -> String {
        let forced = (backend as? SwiftBackend).map { $0.inlineLimit == 0 } ?? false
        return "\(backend.name)-\(backend.threads)" + (forced ? "-threaded" : "")
    }
}
