import Testing
import NeuralNetwork

/// The code of the article "Universal approximation" (NeuralNetwork.docc/UniversalApproximation.md).
@Suite("Article: universal approximation")
struct UniversalApproximationArticleTests {
    @Test func sixReLUsAreOneFunction() throws {
        // n_i = relu(w_i x + b_i) for six units; Z = -n1 - n2 - n3 + n4 + n5 + n6.
        let hidden = try Dense(weights: Matrix(rows: 6, columns: 1, elements: [-5, -1.2, 1.2, 1.2, 2, 5]),
                               bias: [-7.7, -1.3, 1, -0.2, -1.1, -5], activation: .relu)
        let sum = try Dense(weights: Matrix([[-1, -1, -1, 1, 1, 1]]), bias: [0], activation: .identity)
        let network = try Network(layers: [hidden, sum], loss: .quadratic)
        let z = try network.predict(Matrix([[-2], [0], [1], [3]]), backend: ReferenceBackend())
        #expect(maxRelativeDifference(z, Matrix([[-3.4], [-1], [-0.3], [13.7]])) < 1e-6)
    }
}
