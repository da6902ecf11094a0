import LinearAlgebra
import Testing

/// A deliberately wrong backend for tests: the reference product, then `error` added to C[0][0].
struct OffByBackend: GEMMBackend {
    let error: Float
    var name: String { "off-by-\(error)" }
    var threads: Int { 1 }

    func gemmKernel(_ operands: GEMMOperands, site: GEMMCallSite) {
        ReferenceBackend().gemmKernel(operands, site: site)
        operands.c[0] += error
    }
}

@Suite struct CheckingBackendTests {
    let a = Matrix([[1, 2, 3], [4, 5, 6]])
    let b = Matrix([[1, 0], [0, 1], [1, 1]])
    let forward = GEMMCallSite(layer: 0, product: .forward)
    let gradient = GEMMCallSite(layer: 1, product: .weightGradient)

    @Test("records calls and differences per call site, and keeps the primary's result")
    func recordsPerSite() {
        let checking = CheckingBackend(primary: SwiftBackend(), reference: ReferenceBackend())
        var c = Matrix(rows: 2, columns: 2)
        checking.gemm(a, .none, b, .none, into: &c, site: forward)
        checking.gemm(a, .none, b, .none, into: &c, site: forward)
        checking.gemm(b, .transposed, a, .transposed, into: &c, site: gradient)
        #expect(c == Matrix([[4, 5], [10, 11]]).transposed)
        let report = checking.report
        #expect(report.count == 2)
        #expect(report[forward]?.calls == 2)
        #expect(report[gradient]?.calls == 1)
        #expect((report[forward]?.maxRelativeDifference ?? .nan) <= 1e-6)
        #expect(checking.name == "swift-vs-reference")
        checking.reset()
        #expect(checking.report.isEmpty)
    }

    @Test("flags a backend that is wrong, at the site where it was wrong")
    func flagsDifference() {
        let checking = CheckingBackend(primary: OffByBackend(error: 1.5), reference: ReferenceBackend())
        var c = Matrix(rows: 2, columns: 2)
        checking.gemm(a, .none, b, .none, into: &c, site: gradient)
        // C = [[4, 5], [10, 11]]; the primary's 4 + 1.5 is kept and differs by 1.5 / 11.
        #expect(c[0, 0] == 5.5)
        let difference = checking.report[gradient]?.maxRelativeDifference ?? 0
        #expect(abs(difference - 1.5 / 11) < 1e-6)
        #expect(checking.report[forward] == nil)
    }

    @Test("a NaN from the primary is recorded as NaN")
    func recordsNaN() {
        let checking = CheckingBackend(primary: OffByBackend(error: .nan), reference: ReferenceBackend())
        var c = Matrix(rows: 2, columns: 2)
        checking.gemm(a, .none, b, .none, into: &c, site: forward)
        #expect(checking.report[forward]?.maxRelativeDifference.isNaN == true)
    }

    @Test("beta != 0 reaches both backends with the same C")
    func betaUsesC() {
        let checking = CheckingBackend(primary: SwiftBackend(threads: 2), reference: ReferenceBackend())
        var c = Matrix([[1, 1], [1, 1]])
        checking.gemm(a, .none, b, .none, alpha: 1, beta: 2, into: &c, site: forward)
        #expect(c == Matrix([[6, 7], [12, 13]]))
        #expect(checking.report[forward]?.maxRelativeDifference == 0)
    }
}
