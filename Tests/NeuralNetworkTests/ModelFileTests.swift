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
        let text = JSONDocument.encode(Self.architecture)
        #expect(text.hasPrefix(#"{"layers":[{"inputSize":4,"kind":"maxout","outputSize":5,"pieces":3}"#), "\(text)")
        #expect(text.contains(#""activation":"leaky-relu:0.2""#))
        #expect(try JSONDocument.decode(Architecture.self, from: text) == Self.architecture)
        #expect(Self.architecture.description == "4-5(maxout:3)-6(leaky-relu:0.2)-3(softmax), cross-entropy")
        // Every kind of layer, as the model files of the previous format (any key order) wrote them.
        let spelled = #"{"layers":[{"kind":"dense","inputSize":3,"outputSize":4,"activation":"identity"},"#
            + #"{"kind":"batch-norm","inputSize":4,"outputSize":4,"epsilon":1e-05,"momentum":0.1},"#
            + #"{"kind":"layer-norm","inputSize":4,"outputSize":4,"epsilon":1e-05},"#
            + #"{"kind":"activation","inputSize":4,"outputSize":4,"activation":"elu:0.5"},"#
            + #"{"kind":"dropout","inputSize":4,"outputSize":4,"probability":0.25},"#
            + #"{"kind":"dense","inputSize":4,"outputSize":2,"activation":"sigmoid"}],"loss":"binary-cross-entropy"}"#
        let every = try JSONDocument.decode(Architecture.self, from: spelled)
        #expect(every.description == "3-4(identity)-batch-norm-layer-norm-elu:0.5-dropout(0.25)-2(sigmoid), binary-cross-entropy")
        #expect(try JSONDocument.decode(Architecture.self, from: JSONDocument.encode(every)) == every)
    }

    @Test func badArchitecturesNameTheProblem() throws {
        let cases: [(String, String)] = [
            (#"{"loss":"quadratic"}"#, "expected a non-empty array 'layers'"),
            (#"[1, 2]"#, "expected a non-empty array 'layers'"),
            (#"{"layers":[],"loss":"quadratic"}"#, "expected a non-empty array 'layers'"),
            (#"{"layers":[{"kind":"dense","inputSize":2,"outputSize":1,"activation":"relu"}]}"#, "expected a string 'loss'"),
            (#"{"layers":[{"kind":"dense","inputSize":2,"outputSize":1,"activation":"relu"}],"loss":"hinge"}"#, "unknown loss 'hinge'"),
            (#"{"layers":[{"kind":"conv","inputSize":2,"outputSize":1}],"loss":"quadratic"}"#, "layer 0: expected 'kind'"),
            (#"{"layers":[{"kind":"dense","inputSize":0,"outputSize":1,"activation":"relu"}],"loss":"quadratic"}"#, "layer 0: expected positive integers"),
            (#"{"layers":[{"kind":"dense","inputSize":"2","outputSize":1,"activation":"relu"}],"loss":"quadratic"}"#, "layer 0: expected positive integers"),
            (#"{"layers":[{"kind":"dense","inputSize":2,"outputSize":1,"activation":"gelu"}],"loss":"quadratic"}"#, "layer 0: unknown activation 'gelu'"),
            (#"{"layers":[{"kind":"dense","inputSize":2,"outputSize":2,"activation":"relu"},3],"loss":"quadratic"}"#, "layer 1: expected an object"),
            (#"{"layers":[{"kind":"maxout","inputSize":2,"outputSize":1,"pieces":0}],"loss":"quadratic"}"#, "layer 0: expected a positive integer 'pieces'"),
            (#"{"layers":[{"kind":"dropout","inputSize":2,"outputSize":2,"probability":1}],"loss":"quadratic"}"#, "layer 0: expected a number 'probability' in [0, 1)"),
            (#"{"layers":[{"kind":"activation","inputSize":2,"outputSize":2,"activation":"softmax"}],"loss":"quadratic"}"#, "layer 0: expected an elementwise 'activation'"),
            (#"{"layers":[{"kind":"layer-norm","inputSize":2,"outputSize":3}],"loss":"quadratic"}"#, "layer 0: a layer-norm layer has as many outputs as inputs"),
        ]
        for (text, message) in cases {
            do {
                _ = try JSONDocument.decode(Architecture.self, from: text)
                Issue.record("\(text) was read")
            } catch let error as ArchitectureError {
                #expect(error.problem.hasPrefix(message), "\(error.problem)")
            }
        }
    }

    @Test func malformedJSONIsReportedByOffset() throws {
        #expect(throws: JSONError(offset: 6, expected: "',' or ']' in an array")) { try JSONDocument.decode([Int].self, from: "[1, 2 3]") }
        #expect(throws: JSONError(offset: 8, expected: "the end of the text")) { try JSONDocument.decode([Int].self, from: "[1, 2]  x") }
        #expect(throws: JSONError(offset: 0, expected: "a JSON value")) { try JSONDocument.decode([Int].self, from: "") }
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(throws: JSONError(offset: 64, expected: "at most 64 nested objects and arrays")) { try JSONDocument.decode([Int].self, from: deep) }
        #expect(try JSONDocument.decode([String: Double].self, from: #" {"a": 2.5, "b": -3e2} "#) == ["a": 2.5, "b": -300])
        #expect(JSONDocument.encode(["b": "x\"y\u{e9}", "a": "/"]) == #"{"a":"/","b":"x\"yé"}"#)
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
