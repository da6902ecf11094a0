import Testing
@testable import NeuralNetwork

/// The builder: sizes chain, and it gives what the layer values and the flags' architecture give.
@Suite struct LayerBuilderTests {
    @Test func sizesChainInTheBuilder() throws {
        let network = try Network(inputSize: 12, loss: .crossEntropy, seed: 3) {
            Dense(8)
            BatchNorm()
            ActivationLayer(.relu)
            Dropout(0.2)
            Dense(6, .tanh)
            LayerNorm()
            Maxout(4, pieces: 3)
            Dense(3, .softmax)
        }
        #expect(network.sizes == [12, 8, 8, 8, 8, 6, 6, 4, 3])
        #expect(network.kinds.map(\.kind) == ["dense", "batch-norm", "activation", "dropout", "dense", "layer-norm", "maxout", "dense"])
        #expect(network.moduleIndices == [0, 1, 2, 3, 4, 6, 7, 8])
        // The same values as the architecture drawn from the same seed.
        let architecture = Architecture(inputSize: 12, loss: .crossEntropy, blueprints: [
            .dense(8), .batchNorm, .activation(.relu), .dropout(0.2), .dense(6, .tanh), .layerNorm, .maxout(4, pieces: 3), .dense(3, .softmax)])
        #expect(try architecture.makeNetwork(seed: 3) == network)
    }

    @Test func aBuilderLayerOutsideTheBuilderIsAnError() {
        #expect(throws: NetworkError.self) { try Network(layers: [Dense(3, .softmax)], loss: .crossEntropy) }
    }

    @Test func flagsArchitectureIsTheBuildersBlock() throws {
        let flags = Architecture(sizes: [10, 7, 5, 2], hiddenActivation: .relu, outputActivation: .softmax, loss: .crossEntropy,
                                 normalization: .batch, dropout: 0.3)
        let built = Architecture(inputSize: 10, loss: .crossEntropy) {
            for size in [7, 5] {
                Dense(size)
                BatchNorm()
                ActivationLayer(.relu)
                Dropout(0.3)
            }
            Dense(2, .softmax)
        }
        #expect(flags == built)
        let plain = Architecture(sizes: [10, 7, 2], hiddenActivation: .tanh, outputActivation: .softmax, loss: .crossEntropy, normalization: nil)
        #expect(plain == Architecture(sizes: [10, 7, 2], hiddenActivation: .tanh, outputActivation: .softmax, loss: .crossEntropy))
    }
}
