import Testing
import NeuralNetwork

/// The code of the article "Backpropagation" (NeuralNetwork.docc/Backpropagation.md): the four
/// equations computed by hand with matrix products, against what the network computed.
@Suite("Article: backpropagation")
struct BackpropagationArticleTests {
    @Test func theFourEquationsByHand() throws {
        let network = try Network(sizes: [3, 4, 2], hiddenActivation: .tanh, outputActivation: .softmax,
                                  loss: .crossEntropy, seed: 7)
        let x = Matrix([[0.5, -1, 2], [1, 0, -0.5]])  // A^0: two samples, one per row
        let y = Matrix([[1, 0], [0, 1]])
        let backend = ReferenceBackend()
        let trace = try network.backpropagationTrace(inputs: x, targets: y, backend: backend)
        let (w2, _) = try network.parameters(layer: 1)
        let n = Float(x.rows)

        // (1) Delta^L = A^L - Y, softmax and cross-entropy fused
        let deltaL = Matrix(rows: 2, columns: 2, elements: zip(trace.output.elements, y.elements).map { $0 - $1 })
        // (2) Delta^l = (Delta^{l+1} W^{l+1}) (.) g'(Z^l)
        let propagated = backend.multiply(deltaL, .none, w2)
        let delta1 = Matrix(rows: 2, columns: 4, elements: zip(propagated.elements, trace.layers[0].preactivation.elements)
            .map { $0 * Activation.tanh.derivative($1) })
        // (3) dC/dW^l = (Delta^l)^T A^{l-1} / n, the 1/n as the product's alpha
        var weightGradient = Matrix(rows: 4, columns: 3)
        backend.gemm(delta1, .transposed, x, alpha: 1 / n, into: &weightGradient)
        // (4) dC/db^l = column sums of Delta^l / n
        let biasGradient = (0..<4).map { j in (delta1[0, j] + delta1[1, j]) / n }

        #expect(maxRelativeDifference(trace.layers[1].delta, deltaL) < 1e-6)
        #expect(maxRelativeDifference(trace.layers[0].delta, delta1) < 1e-6)
        #expect(maxRelativeDifference(trace.layers[0].gradient.weights, weightGradient) < 1e-6)
        #expect(zip(trace.layers[0].gradient.bias, biasGradient).allSatisfy { abs($0 - $1) < 1e-6 })
    }
}
