import LinearAlgebra
import Testing

@Suite struct MatrixTests {
    @Test("initialisers lay entries out row-major")
    func initialisers() {
        let filled = Matrix(rows: 2, columns: 3, repeating: 1.5)
        #expect(filled.shape == (2, 3) && filled.elements == [Float](repeating: 1.5, count: 6))
        let listed = Matrix(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
        #expect(listed[0, 2] == 3 && listed[1, 0] == 4)
        #expect(Matrix([[1, 2, 3], [4, 5, 6]]) == listed)
        #expect(Matrix([]).shape == (0, 0))
        #expect(Matrix(rows: 0, columns: 4).elements.isEmpty)
    }

    @Test("subscript writes, transposes and value semantics")
    func valueSemantics() {
        var m = Matrix(rows: 2, columns: 2)
        let copy = m
        m[1, 0] = 7
        #expect(m.elements == [0, 0, 7, 0])
        #expect(copy.elements == [0, 0, 0, 0])
        let t = Matrix([[1, 2, 3], [4, 5, 6]]).transposed
        #expect(t == Matrix([[1, 4], [2, 5], [3, 6]]))
        #expect(t.description == "Matrix 3x2 [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]")
    }

    @Test("rows(_:) is a view of whole rows that copies on demand")
    func rowsView() {
        let m = Matrix(rows: 4, columns: 3, elements: (0..<12).map(Float.init))
        let slice = m.rows(1..<3)
        #expect(slice.rows == 2 && slice.columns == 3)
        #expect(Array(slice.elements) == [3, 4, 5, 6, 7, 8])
        #expect(slice.matrix == Matrix([[3, 4, 5], [6, 7, 8]]))
        slice.withUnsafeBufferPointer { #expect($0.count == 6 && $0.first == 3) }
        #expect(m.rows(4..<4).rows == 0)
    }

    @Test("gemm on matrices checks shapes and multiplies with transposes")
    func matrixProduct() {
        let a = Matrix([[1, 2], [3, 4], [5, 6]])  // 3 x 2
        let b = Matrix([[1, 0, 2], [0, 1, 3]])  // 2 x 3
        for backend in backendsUnderTest() {
            #expect(backend.multiply(a, .none, b, .none) == Matrix([[1, 2, 8], [3, 4, 18], [5, 6, 28]]))
            #expect(backend.multiply(a, .transposed, a, .none) == Matrix([[35, 44], [44, 56]]))
            var c = Matrix(rows: 2, columns: 2, repeating: 1)
            backend.gemm(b, .none, b, .transposed, alpha: 2, beta: -1, into: &c)
            #expect(c == Matrix([[9, 11], [11, 19]]))
        }
    }

    @Test("maxRelativeDifference is normwise and propagates NaN")
    func relativeDifference() {
        let x = Matrix([[1, 2], [3, 4]])
        #expect(maxRelativeDifference(x, x) == 0)
        #expect(maxRelativeDifference(Matrix([[1, 2], [3, 5]]), x) == 0.25)
        #expect(maxRelativeDifference(Matrix([[.nan, 2], [3, 4]]), x).isNaN)
    }
}
