import Testing
@testable import NeuralNetwork

@Suite("Network structure and layers")
struct NetworkTests {
    @Test func sizeMismatchNamesBothSizes() throws {
        let layers: [Layer] = [.dense(Dense(inputSize: 3, outputSize: 4, activation: .relu)),
                               .dense(Dense(inputSize: 5, outputSize: 2, activation: .softmax))]
        #expect(throws: NetworkError.sizeMismatch(layer: 1, inputSize: 5, previousOutputSize: 4)) {
            try Network(layers: layers, loss: .crossEntropy)
        }
        #expect(NetworkError.sizeMismatch(layer: 1, inputSize: 5, previousOutputSize: 4).description
            == "layer 1 takes 5 inputs but layer 0 gives 4 outputs")
        #expect(throws: NetworkError.softmaxNotAtOutput(layer: 0)) {
            try Network(sizes: [2, 3, 1], hiddenActivation: .softmax, outputActivation: .sigmoid, loss: .quadratic, seed: 1)
        }
        #expect(throws: NetworkError.noLayers) { try Network(layers: [], loss: .quadratic) }
        #expect(throws: NetworkError.invalidSize("size of layer 0", 0)) {
            try Network(sizes: [2, 0, 1], hiddenActivation: .relu, outputActivation: .sigmoid, loss: .quadratic, seed: 1)
        }
    }

    @Test func parametersCanBeReadAndWritten() throws {
        var network = try Network(sizes: [3, 4, 2], hiddenActivation: .tanh, outputActivation: .identity, loss: .quadratic, seed: 9)
        let (w, b) = try network.parameters(layer: 1)
        #expect(w.rows == 2 && w.columns == 4 && b.count == 2)
        let newW = Matrix(rows: 2, columns: 4, elements: (0..<8).map(Float.init))
        try network.setParameters(layer: 1, weights: newW, bias: [1, 2])
        #expect(try network.parameters(layer: 1).weights == newW)
        #expect(try network.parameters(layer: 1).bias == [1, 2])
        #expect(throws: NetworkError.parameterShape(layer: 1, tensor: "weight", expected: [2, 4], got: [4, 2])) {
            try network.setParameters(layer: 1, weights: newW.transposed, bias: [1, 2])
        }
        #expect(throws: NetworkError.parameterShape(layer: 0, tensor: "bias", expected: [4], got: [3])) {
            try network.setParameters(layer: 0, weights: Matrix(rows: 4, columns: 3), bias: [1, 2, 3])
        }
        #expect(throws: NetworkError.noSuchLayer(2, count: 2)) { try network.parameters(layer: 2) }
        #expect(network.parameterCount == 4 * 4 + 2 * 5)
    }

    @Test func denseForwardIsZEqualsWaPlusB() throws {
        let dense = try Dense(weights: Matrix([[1, 2], [3, 4], [-1, 0.5]]), bias: [0.5, -1, 2], activation: .identity)
        let network = try Network(layers: [dense], loss: .quadratic)
        let trace = try network.backpropagationTrace(inputs: Matrix([[1, 1], [2, -1]]), targets: Matrix(rows: 2, columns: 3),
                                                     backend: ReferenceBackend())
        #expect(trace.output == Matrix([[3.5, 6, 1.5], [0.5, 1, -0.5]]))
        #expect(trace.layers[0].preactivation == trace.output)
    }

    @Test func maxoutLayoutAndTies() throws {
        // Unit 0: pieces (x0, x1); unit 1: pieces (x1, x1) tie -> piece 0.
        let maxout = try Maxout(weights: Matrix([[1, 0], [0, 1], [0, 1], [0, 1]]), bias: [0, 0, 0, 0], pieces: 2)
        let network = try Network(layers: [maxout], loss: .quadratic)
        // Quadratic loss on one sample: dC/dA = A - Y = [1, 10].
        let trace = try network.backpropagationTrace(inputs: Matrix([[2, 3]]), targets: Matrix([[2, -7]]), backend: ReferenceBackend())
        #expect(trace.output == Matrix([[3, 3]]))
        #expect(trace.layers[0].gradient.bias == [0, 1, 10, 0])
        #expect(trace.layers[0].gradient.weights == Matrix([[0, 0], [2, 3], [20, 30], [0, 0]]))
    }

    @Test func everyProductIsLabelledWithItsCallSite() throws {
        let network = try Network(sizes: [4, 5, 3, 2], hiddenActivation: .relu, outputActivation: .softmax, loss: .crossEntropy, seed: 4)
        let checking = CheckingBackend(primary: SwiftBackend(), reference: ReferenceBackend())
        _ = try network.backpropagationTrace(inputs: randomMatrix(rows: 6, columns: 4, seed: 1),
                                             targets: oneHotTargets(rows: 6, classes: 2, seed: 2), backend: checking)
        let sites = Set(checking.report.keys)
        var expected: Set<GEMMCallSite> = []
        for l in 0..<3 {
            expected.insert(GEMMCallSite(layer: l, product: .forward))
            expected.insert(GEMMCallSite(layer: l, product: .weightGradient))
            if l > 0 { expected.insert(GEMMCallSite(layer: l, product: .propagatedError)) }
        }
        #expect(sites == expected)
        #expect(checking.report.values.allSatisfy { $0.calls == 1 && $0.maxRelativeDifference < 1e-5 })
    }

    @Test func tracesOfTwoBackendsAreComparedPerLayerAndEquation() throws {
        let network = try Network(sizes: [6, 7, 5, 3], hiddenActivation: .elu(), outputActivation: .softmax, loss: .crossEntropy, seed: 12)
        let x = randomMatrix(rows: 9, columns: 6, seed: 3), y = oneHotTargets(rows: 9, classes: 3, seed: 4)
        let reference = try network.backpropagationTrace(inputs: x, targets: y, backend: ReferenceBackend())
        #expect(reference.layers.map(\.delta.columns) == [7, 5, 3] && reference.layers.map(\.delta.rows) == [9, 9, 9])
        // Delta^L = A^L - Y for softmax + cross-entropy.
        #expect(reference.layers[2].delta.elements == zip(reference.output.elements, y.elements).map { $0 - $1 })
        for backend in fastBackends {
            let differences = try network.backpropagationTrace(inputs: x, targets: y, backend: backend).differences(from: reference)
            #expect(differences.count == 3 && differences.allSatisfy { $0.worst < 1e-5 }, "\(backend.name): \(differences)")
        }
        #expect(reference.differences(from: reference).allSatisfy { $0.worst == 0 })
    }

    @Test func predictionInBatchesEqualsOneBatch() throws {
        let network = try Network(sizes: [3, 6, 2], hiddenActivation: .swish, outputActivation: .sigmoid, loss: .binaryCrossEntropy, seed: 8)
        let x = randomMatrix(rows: 13, columns: 3, seed: 5)
        for backend in compiledBackends {
            let whole = try network.predict(x, backend: backend, batchSize: 100)
            let pieces = try network.predict(x, backend: backend, batchSize: 4)
            #expect(maxRelativeDifference(whole, pieces) < 1e-6)
        }
        #expect(throws: NetworkError.dataShape(what: "input", expected: 3, got: 2)) {
            try network.predict(Matrix(rows: 1, columns: 2), backend: ReferenceBackend())
        }
    }

    @Test func aTrainedNetworkIsSendable() async throws {
        let network = try Network(sizes: [2, 3, 1], hiddenActivation: .relu, outputActivation: .identity, loss: .quadratic, seed: 2)
        let output = try await Task.detached { try network.predict(Matrix([[1, 2]]), backend: ReferenceBackend()) }.value
        #expect(output.rows == 1)
    }
}

