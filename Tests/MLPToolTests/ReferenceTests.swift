import Foundation
import NeuralNetwork
import TestSupport
import Testing

/// The tool against implementations it shares no code with: the numpy reference (training in
/// file order from given weights) and PyTorch (a model file written by torch).
@Suite struct ReferenceTests {
    /// `mlp train --init --no-shuffle --optimizer sgd` reproduces the numpy reference's weights
    /// after two epochs of plain SGD in file order.
    @Test(arguments: ["relu", "tanh", "mish"])
    func trainingInFileOrderMatchesNumpy(_ name: String) throws {
        let url = repositoryRoot.appendingPathComponent("Tests/NeuralNetworkTests/Fixtures/network-\(name).json")
        let fixture = try NetworkFixture(contentsOf: url)
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }

        var tensors: [String: SafeTensors.Tensor] = [:]
        for (i, (w, b)) in zip(fixture.initialWeights, fixture.initialBiases).enumerated() {
            tensors["layers.\(i).weight"] = .init(shape: [w.count, w[0].count], values: w.flatMap { $0.map(Float.init) })
            tensors["layers.\(i).bias"] = .init(shape: [b.count], values: b.map(Float.init))
        }
        let initial = folder.appendingPathComponent("init.safetensors"), trained = folder.appendingPathComponent("trained.safetensors")
        try SafeTensors(tensors: tensors).save(toFile: initial.path)
        let data = folder.appendingPathComponent("data.csv")
        let rows = zip(fixture.targets, fixture.inputs).map { target, input in
            ([String(target.firstIndex(of: 1)!)] + input.map { "\($0)" }).joined(separator: ",")
        }
        try data.write(rows.joined(separator: "\n") + "\n")
        let sizes = [fixture.initialWeights[0][0].count] + fixture.initialWeights.map(\.count)

        let run = try runTool(["train", "--data", data.path, "--init", initial.path, "--no-shuffle",
                               "--layers", sizes.map(String.init).joined(separator: ","), "--activation", name,
                               "--output", "softmax", "--optimizer", "sgd", "--learning-rate", "\(fixture.learningRate)",
                               "--batch-size", "\(fixture.batchSize)", "--epochs", "\(fixture.epochs)",
                               "--backend", "reference", "--save", trained.path])
        #expect(run.exitStatus == 0, "\(run.standardError)")
        let model = try SafeTensors(contentsOfFile: trained.path)
        // Layer i's tensors are the i-th group of the file: nn.Sequential's module indices
        // (0, 2, 4 for Dense layers with a hidden activation between them).
        let indices = Set(model.tensors.keys.compactMap { Int($0.split(separator: ".")[1]) }).sorted()
        for (i, (w, b)) in zip(fixture.trainedWeights, fixture.trainedBiases).enumerated() {
            let expected = w.flatMap { $0 } + b
            let index = indices[i]
            let got = (model.tensors["layers.\(index).weight"]?.values ?? []) + (model.tensors["layers.\(index).bias"]?.values ?? [])
            try #require(got.count == expected.count)
            let scale = expected.map(abs).max()!
            let worst = zip(got, expected).map { abs(Double($0) - $1) }.max()!
            #expect(worst / scale < 1e-4, "layer \(i): worst difference \(worst) (scale \(scale))")
        }
    }

    /// `mlp predict --probabilities` with a softmax model written by PyTorch (no metadata of
    /// ours, so the architecture is given) reproduces torch's probabilities within `tolerance`.
    static func expectTorchProbabilities(model: String, layers: String, activation: String, inputs: String, outputs: String,
                                         tolerance: Double) throws {
        let fixtures = repositoryRoot.appendingPathComponent("Tests/MLPToolTests/Fixtures")
        let run = try runTool(["predict", "--model", fixtures.appendingPathComponent(model).path,
                               "--layers", layers, "--activation", activation, "--output", "softmax",
                               "--input", fixtures.appendingPathComponent(inputs).path, "--probabilities"])
        #expect(run.exitStatus == 0, "\(run.standardError)")
        let expected = parseCSV(try String(contentsOf: fixtures.appendingPathComponent(outputs), encoding: .utf8))
        let got = parseCSV(run.standardOutput)
        #expect(got.count == expected.count && !got.isEmpty)
        for (g, e) in zip(got, expected) {
            #expect(zip(g, e).allSatisfy { abs($0 - $1) < tolerance }, "mlp \(g) vs torch \(e)")
        }
    }

    /// A model saved by PyTorch (layers.0 / layers.2 of an nn.Sequential, no metadata of ours)
    /// gives torch's own probabilities; see Fixtures/torch_interop.py.
    @Test func predictsWithAPyTorchModel() throws {
        let fixtures = repositoryRoot.appendingPathComponent("Tests/MLPToolTests/Fixtures")
        try Self.expectTorchProbabilities(model: "torch_mlp.safetensors", layers: "4,5,3", activation: "relu",
                                          inputs: "torch_inputs.csv", outputs: "torch_outputs.csv", tolerance: 1e-6)
        // Without the architecture, the file cannot be used, and the tool says why.
        let bare = try runTool(["predict", "--model", fixtures.appendingPathComponent("torch_mlp.safetensors").path,
                                "--input", fixtures.appendingPathComponent("torch_inputs.csv").path])
        #expect(bare.exitStatus != 0)
        #expect(bare.standardError.contains("no architecture in the file's metadata"))
    }
}
