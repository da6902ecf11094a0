import Foundation
import NeuralNetwork
import Testing

@Suite("Model files and architecture")
struct ModelFileTests {
    static let architecture = Architecture(layers: [
        .init(kind: .maxout(pieces: 3), inputSize: 4, outputSize: 5),
        .init(kind: .dense(.leakyReLU(slope: 0.2)), inputSize: 5, outputSize: 6),
        .init(kind: .dense(.softmax), inputSize: 6, outputSize: 3),
    ], loss: .crossEntropy)

    @Test func architectureRoundTripsThroughJSON() throws {
        let text = Self.architecture.json.serialized
        #expect(text.hasPrefix(#"{"layers":[{"kind":"maxout","inputSize":4,"outputSize":5,"pieces":3}"#))
        #expect(text.contains(#""activation":"leaky-relu:0.2""#))
        #expect(try Architecture(json: JSONValue(parsing: text)) == Self.architecture)
        #expect(Self.architecture.description == "4-5(maxout:3)-6(leaky-relu:0.2)-3(softmax), cross-entropy")
    }

    @Test func badArchitecturesNameTheProblem() throws {
        let cases: [(String, String)] = [
            (#"{"loss":"quadratic"}"#, "expected a non-empty array 'layers'"),
            (#"{"layers":[{"kind":"dense","inputSize":2,"outputSize":1,"activation":"relu"}],"loss":"hinge"}"#, "unknown loss 'hinge'"),
            (#"{"layers":[{"kind":"conv","inputSize":2,"outputSize":1}],"loss":"quadratic"}"#, "layer 0: expected 'kind'"),
            (#"{"layers":[{"kind":"dense","inputSize":0,"outputSize":1,"activation":"relu"}],"loss":"quadratic"}"#, "layer 0: expected positive integers"),
            (#"{"layers":[{"kind":"dense","inputSize":2,"outputSize":1,"activation":"gelu"}],"loss":"quadratic"}"#, "unknown activation 'gelu'"),
        ]
        for (text, message) in cases {
            #expect(throws: ArchitectureError.self) { try Architecture(json: JSONValue(parsing: text)) }
            do { _ = try Architecture(json: JSONValue(parsing: text)) } catch let error as ArchitectureError {
                #expect(error.problem.contains(message), "\(error.problem)")
            }
        }
    }

    @Test func jsonValueParsesAndReportsOffsets() throws {
        let value = try JSONValue(parsing: #" {"a": [1, 2.5, -3e2, true, null], "b": "x\"y\u00e9"} "#)
        #expect(value["a"]?.arrayValue?.compactMap(\.numberValue) == [1, 2.5, -300])
        #expect(value["b"]?.stringValue == "x\"yé")
        #expect(value.serialized == #"{"a":[1,2.5,-300,true,null],"b":"x\"yé"}"#)
        #expect(throws: JSONError(offset: 6, expected: "',' or ']' in an array")) { try JSONValue(parsing: "[1, 2 3]") }
        #expect(throws: JSONError.self) { try JSONValue(parsing: #"{"a": 1, "a": 2}"#) }
    }

    @Test func networksRoundTripThroughSafeTensors() throws {
        let network = try Self.architecture.makeNetwork(initializer: .heNormal, biasInitializer: .normal(standardDeviation: 0.1), seed: 3)
        let file = network.safeTensors
        #expect(file.tensors["layers.0.weight"]?.shape == [15, 4])
        #expect(file.tensors["layers.0.bias"]?.shape == [15])
        #expect(file.metadata["format"] == "swiftmlp")
        let bytes = file.serialized()
        let reread = try Network(safeTensors: SafeTensors(bytes: bytes, fileName: "m"), fileName: "m")
        #expect(reread == network)
    }

    @Test func modelErrorsNameFileAndTensor() throws {
        let network = try Self.architecture.makeNetwork(seed: 1)
        var file = network.safeTensors
        file.metadata = [:]
        #expect(throws: ModelFileError.noArchitecture(file: "f")) { try Network(safeTensors: file, fileName: "f") }
        #expect(try Network(safeTensors: file, fileName: "f", architecture: Self.architecture) == network)

        var missing = network.safeTensors
        missing.tensors["layers.1.bias"] = nil
        #expect(throws: ModelFileError.missingTensor(file: "f", name: "layers.1.bias")) { try Network(safeTensors: missing, fileName: "f") }

        var extra = network.safeTensors
        extra.tensors["optimizer.step"] = .init(shape: [1], values: [0])
        #expect(throws: ModelFileError.unexpectedTensor(file: "f", name: "optimizer.step")) { try Network(safeTensors: extra, fileName: "f") }

        var wide = Self.architecture
        wide.layers[1].outputSize = 7
        wide.layers[2].inputSize = 7
        #expect(throws: ModelFileError.tensorShape(file: "f", name: "layers.1.weight", expected: [7, 5], got: [6, 5])) {
            try Network(safeTensors: network.safeTensors, fileName: "f", architecture: wide)
        }

        var nan = network.safeTensors
        // Module indices as nn.Sequential's: Maxout 0, Linear 1 and LeakyReLU 2, Linear 3.
        #expect(network.moduleIndices == [0, 1, 3])
        nan.tensors["layers.3.bias"] = .init(shape: [3], values: [0, .nan, 0])
        #expect(throws: ModelFileError.nonFinite(file: "f", name: "layers.3.bias", index: 1)) { try Network(safeTensors: nan, fileName: "f") }
    }

    /// PyTorch's nn.Sequential numbers its Linear layers 0, 2, 4: any increasing indices are taken in order.
    @Test func nonConsecutiveLayerIndicesAreTakenInOrder() throws {
        let network = try Self.architecture.makeNetwork(seed: 2)
        var renamed = SafeTensors(tensors: [:], metadata: network.safeTensors.metadata)
        for (i, j) in [(0, 0), (1, 2), (3, 10)] {
            renamed.tensors["layers.\(j).weight"] = network.safeTensors.tensors["layers.\(i).weight"]
            renamed.tensors["layers.\(j).bias"] = network.safeTensors.tensors["layers.\(i).bias"]
        }
        #expect(try Network(safeTensors: renamed, fileName: "f") == network)
    }
}

@Suite("Confusion matrix and data sets")
struct ConfusionMatrixTests {
    @Test func precisionAndRecallByHand() {
        // actual:    0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        let matrix = ConfusionMatrix(actual: [0, 0, 0, 1, 1, 2], predicted: [0, 0, 1, 1, 2, 2], classCount: 3)
        #expect(matrix[actual: 0, predicted: 1] == 1)
        #expect(matrix.accuracy == 4.0 / 6.0)
        #expect(matrix.precision(of: 1) == 0.5)       // predicted 1: samples 2 (a 0) and 3 (a 1)
        #expect(matrix.recall(of: 0) == 2.0 / 3.0)    // the three 0s: two found
        #expect(matrix.precision(of: 2) == 0.5 && matrix.recall(of: 2) == 1)
        #expect(ConfusionMatrix(classCount: 2).precision(of: 0) == nil)
    }

    @Test func twoSpiralsAlternateClassesAndRepeatBySeed() {
        let spirals = Dataset.twoSpirals(count: 200, noise: 0.02, seed: 5)
        #expect(spirals.count == 200 && spirals.featureCount == 2 && spirals.targetWidth == 2)
        #expect(spirals.labels?.prefix(4) == [0, 1, 0, 1])
        #expect(spirals == Dataset.twoSpirals(count: 200, noise: 0.02, seed: 5))
        #expect(spirals != Dataset.twoSpirals(count: 200, noise: 0.02, seed: 6))
        // The two classes are the same curve turned by pi: sample 2i+1 is near minus sample 2i.
        guard case .floats(let xy) = spirals.features else { Issue.record("spirals are floats"); return }
        for i in stride(from: 0, to: 200, by: 2) {
            #expect(abs(xy[2 * i] + xy[2 * i + 2]) < 0.2 && abs(xy[2 * i + 1] + xy[2 * i + 3]) < 0.2)
        }
    }
}
