import Testing
import LinearAlgebra

/// The code of the LinearAlgebra articles (LinearAlgebra.docc): the GEMM contract and the
/// choice of a backend, run as printed there.
@Suite("Article: the GEMM contract")
struct GEMMArticleTests {
    @Test func oneProductOnEveryBackend() throws {
        let a = Matrix([[1, 2, 3], [4, 5, 6]])  // 2 x 3
        let b = Matrix([[1, 0], [0, 1], [1, 1]])  // 3 x 2
        for kind in BackendKind.compiled {
            let backend = try kind.make(threads: 1)
            #expect(backend.multiply(a, .none, b) == Matrix([[4, 5], [10, 11]]))
            #expect(backend.multiply(a, .transposed, a) == backend.multiply(a.transposed, .none, a))
        }
    }

    @Test func betaZeroNeverReadsC() {
        let backend = SwiftBackend()
        let a = Matrix([[1, 2], [3, 4]]), identity = Matrix([[1, 0], [0, 1]])
        var c = Matrix(rows: 2, columns: 2, repeating: .nan)
        backend.gemm(a, .none, identity, alpha: 2, beta: 0, into: &c)  // C <- 2 A I; the NaNs are never read
        #expect(c == Matrix([[2, 4], [6, 8]]))
        backend.gemm(a, .none, identity, alpha: 1, beta: 0.5, into: &c)  // C <- A I + C / 2
        #expect(c == Matrix([[2, 4], [6, 8]]))
    }

    @Test func fastBackendsAgainstTheReference() throws {
        let a = Matrix(rows: 64, columns: 300, elements: (0..<19_200).map { Float($0 * 7919 % 1000) / 500 - 1 })
        let b = Matrix(rows: 300, columns: 48, elements: (0..<14_400).map { Float($0 * 104_729 % 1000) / 500 - 1 })
        let reference = ReferenceBackend().multiply(a, .none, b)
        for kind in BackendKind.fast {
            let product = try kind.make(threads: 2).multiply(a, .none, b)
            #expect(maxRelativeDifference(product, reference) < 1e-5)
        }
    }

    @Test func choosingABackend() throws {
        let fromEnvironment = try BackendKind.fromEnvironment(["SWIFTMLP_BACKEND": "swift"])
        #expect(fromEnvironment == .swift)
        #expect(try BackendKind.fromEnvironment([:]) == .auto)
        let auto = AutoBackend(threads: 1)
        let choice = auto.choice(transA: .none, transB: .transposed, m: 128, n: 256, k: 784)
        #expect(BackendKind.fast.contains(choice))
    }
}
