import LinearAlgebra
import Testing
@testable import NeuralNetwork

/// Overflow-prone arithmetic: sizes whose product leaves `Int`, and whole networks fed inputs
/// of magnitude 1e4 (pre-activations far beyond where exp overflows in Float).
@Suite("Numerical hazards")
struct NumericalHazardTests {
    @Test func parameterCountsAreCheckedForOverflow() {
        let small = Architecture(sizes: [784, 256, 10], hiddenActivation: .relu, outputActivation: .softmax, loss: .crossEntropy)
        #expect(small.parameterCount == 256 * 785 + 10 * 257)
        #expect(small.parameterByteCount == 4 * (256 * 785 + 10 * 257))
        let maxout = Architecture(sizes: [4, 5, 3], hiddenActivation: .relu, outputActivation: .softmax, loss: .crossEntropy, maxoutPieces: 3)
        #expect(maxout.parameterCount == 15 * 5 + 3 * 6)

        // 2^32 x 2^32 overflows Int64; so does a sum of two counts near Int.max / 2.
        let square = Architecture(sizes: [2, 1 << 32, 1 << 32, 2], hiddenActivation: .relu, outputActivation: .softmax, loss: .crossEntropy)
        #expect(square.parameterCount == nil && square.parameterByteCount == nil)
        let wide = Architecture(sizes: [Int.max - 1, 1], hiddenActivation: .relu, outputActivation: .identity, loss: .quadratic)
        #expect(wide.parameterCount == Int.max)
        #expect(wide.parameterByteCount == nil)
        let pieces = Architecture(sizes: [1, Int.max / 2, 1], hiddenActivation: .relu, outputActivation: .identity, loss: .quadratic,
                                  maxoutPieces: 3)
        #expect(pieces.parameterCount == nil)
    }

    static let hidden: [Activation] = Activation.allCases.filter { $0.isElementwise && $0 != .softmax }

    @Test("outputs, loss and gradients stay finite for inputs of magnitude 1e4", arguments: hidden)
    func hugeInputsStayFinite(activation: Activation) throws {
        let backend = SwiftBackend()
        for (output, loss) in [(Activation.softmax, Loss.crossEntropy), (.sigmoid, .binaryCrossEntropy), (.tanh, .quadratic)] {
            let network = try Network(sizes: [3, 8, 4], hiddenActivation: activation, outputActivation: output, loss: loss,
                                      initializer: .normal(standardDeviation: 3), seed: 61)
            let inputs = Matrix([[1e4, -1e4, 5e3], [-1e4, 1e4, -1e4], [0, 1e4, 0], [1e4, 1e4, 1e4]])
            let targets = output == .softmax ? oneHotTargets(rows: 4, classes: 4, seed: 62) : Matrix(rows: 4, columns: 4, repeating: 1)
            let predicted = try network.predict(inputs, backend: backend)
            #expect(predicted.elements.allSatisfy { $0.isFinite }, "\(activation) -> \(output): \(predicted)")
            #expect(try network.loss(inputs: inputs, targets: targets, backend: backend).isFinite, "\(activation) -> \(output)")
            for gradient in try network.gradients(inputs: inputs, targets: targets, backend: backend) {
                #expect(gradient.weights.elements.allSatisfy { $0.isFinite } && gradient.bias.allSatisfy { $0.isFinite }, "\(activation) -> \(output)")
            }
        }
    }
}
