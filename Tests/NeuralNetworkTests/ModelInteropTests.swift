import Foundation
import Testing
@testable import NeuralNetwork

/// Model files across versions and frameworks: files written before layers were a protocol
/// still load and predict the same, and a PyTorch `nn.Sequential` state dict with Linear,
/// BatchNorm1d, ReLU, Dropout and LayerNorm loads and predicts PyTorch's probabilities, and is
/// written back under PyTorch's names (what `load_state_dict(strict=True)` needs).
@Suite("Model interop")
struct ModelInteropTests {
    static let toolFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("MLPToolTests/Fixtures")

    static func csv(_ url: URL) throws -> [[Float]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            try line.split(separator: ",").map { try #require(Float(String($0))) }
        }
    }

    @Test("model files written before the layer protocol load and predict the same", arguments: ["maxout", "tanh"])
    func oldFormatFiles(name: String) throws {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("old-format")
        let network = try Network(contentsOfFile: directory.appendingPathComponent("\(name).safetensors").path)
        let inputs = Matrix(try Self.csv(directory.appendingPathComponent("inputs.csv")))
        let expected = Matrix(try Self.csv(directory.appendingPathComponent("\(name)-probabilities.csv")))
        // The reference backend (Double accumulation) is deterministic: the very same floats.
        #expect(try network.predict(inputs, backend: ReferenceBackend()) == expected)
        for backend in compiledBackends {
            #expect(maxRelativeDifference(try network.predict(inputs, backend: backend), expected) < 1e-6)
        }
        // Written again, its tensors keep their names (Dense layers of a hidden activation take two indices now).
        let names = Set(network.safeTensors.tensors.keys)
        #expect(names == (name == "tanh" ? ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
                                          : ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                                             "layers.2.weight", "layers.2.bias"]))
        let reread = try Network(safeTensors: network.safeTensors, fileName: "rewritten")
        #expect(reread == network)
    }

    struct Spec: Decodable {
        var inputSize: Int
        var modules: [LayerFixtureTests.Module]
        var output: String
        var loss: String
    }

    /// The architecture mirroring the spec's modules (a Linear is Dense without activation,
    /// the last one with the output activation).
    static func architecture(_ spec: Spec) throws -> Architecture {
        var layers: [Architecture.LayerSpec] = [], width = spec.inputSize
        for (position, module) in spec.modules.enumerated() {
            let kind: Architecture.LayerSpec.Kind
            var output = width
            switch module.kind {
            case "linear":
                kind = .dense(position == spec.modules.count - 1 ? try #require(Activation(name: spec.output)) : .identity)
                output = try #require(module.outputSize)
            case "batchnorm": kind = .batchNorm
            case "layernorm": kind = .layerNorm
            case "dropout": kind = .dropout(probability: Float(try #require(module.p)))
            default: kind = .activation(try #require(Activation(name: module.kind)))
            }
            layers.append(.init(kind: kind, inputSize: width, outputSize: output))
            width = output
        }
        return Architecture(layers: layers, loss: try #require(Loss(rawValue: spec.loss)))
    }

    @Test("a PyTorch nn.Sequential state dict loads, predicts PyTorch's probabilities, and is written under its names")
    func pytorchStateDict() throws {
        let spec = try JSONDecoder().decode(Spec.self, from: Data(contentsOf: Self.toolFixtures.appendingPathComponent("torch_layers.json")))
        let file = try SafeTensors(contentsOfFile: Self.toolFixtures.appendingPathComponent("torch_layers.safetensors").path)
        let network = try Network(safeTensors: file, fileName: "torch_layers.safetensors", architecture: try Self.architecture(spec))
        let inputs = Matrix(try Self.csv(Self.toolFixtures.appendingPathComponent("torch_layers_inputs.csv")))
        let expected = try Self.csv(Self.toolFixtures.appendingPathComponent("torch_layers_outputs.csv")).flatMap { $0 }
        var worst = 0.0
        for backend in compiledBackends {
            let probabilities = try network.predict(inputs, backend: backend).elements
            let difference = zip(probabilities, expected).map { abs(Double($0) - Double($1)) }.max()!
            #expect(difference < 1e-5, "\(backend.name): \(difference)")
            worst = max(worst, difference)
        }
        print("PyTorch state dict: probabilities within \(worst) of PyTorch's")
        // Written back: PyTorch's names and shapes, so load_state_dict(strict=True) takes it.
        let written = network.safeTensors
        #expect(Set(written.tensors.keys) == Set(file.tensors.keys))
        for (name, tensor) in file.tensors { #expect(written.tensors[name]?.shape == tensor.shape, "\(name)") }
        #expect(network.moduleIndices == spec.modules.map(\.index))
        // For the other direction, run by hand: SWIFTMLP_INTEROP_OUTPUT=FILE swift test --filter ModelInteropTests,
        // then `torch_layers_interop.py check FILE torch_layers_inputs.csv torch_layers_outputs.csv`.
        if let path = ProcessInfo.processInfo.environment["SWIFTMLP_INTEROP_OUTPUT"] { try network.save(toFile: path) }
        // And read back by us from our own metadata, the same network.
        #expect(try Network(safeTensors: written, fileName: "written") == network)
    }
}
