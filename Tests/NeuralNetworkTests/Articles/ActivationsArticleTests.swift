import Testing
import NeuralNetwork

/// The code of the article "Activations" (NeuralNetwork.docc/Activations.md).
@Suite("Article: activations")
struct ActivationsArticleTests {
    @Test func valueAndDerivativeSideBySide() {
        let (value, derivative) = Activation.swish.valueAndDerivative(1.5)
        let h = 1e-5
        let slope = (Activation.swish.value(1.5 + h) - Activation.swish.value(1.5 - h)) / (2 * h)
        #expect(value == 1.5 * Activation.logistic(1.5))  // swish(z) = z sigmoid(z)
        #expect(abs(derivative - slope) < 1e-8)
    }

    @Test func namesAsTheCommandLineWritesThem() {
        #expect(Activation(name: "leaky-relu:0.2") == .leakyReLU(slope: 0.2))
        #expect(Activation.leakyReLU().description == "leaky-relu")
        #expect(Activation(name: "softmax:2") == nil)
    }
}
