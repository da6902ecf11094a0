import Foundation
import Testing

/// `--dropout`, `--normalization` and `--spec` through the built binary: the layers they give
/// (as `info` prints them and the model file's tensors), and their errors.
@Suite struct LayerOptionTests {
    @Test func dropoutAndNormalizationPlaceTheirLayers() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("blobs.csv"), model = folder.appendingPathComponent("model.safetensors")
        try data.write(blobsCSV())
        let train = try runTool(["train", "--data", data.path, "--layers", "2,8,3", "--activation", "tanh", "--dropout", "0.25",
                                 "--normalization", "batch", "--epochs", "3", "--batch-size", "16", "--seed", "5",
                                 "--save", model.path, "--backend", "reference"])
        #expect(train.exitStatus == 0, "\(train.standardError)")
        let info = try runTool(["info", model.path])
        #expect(info.standardOutput.contains("architecture  2-8(identity)-batch-norm-tanh-dropout(0.25)-3(softmax), cross-entropy"),
                "\(info.standardOutput)")
        // Linear 0, BatchNorm1d 1 (with its running statistics), Tanh 2, Dropout 3, Linear 4.
        for name in ["layers.0.weight", "layers.1.weight", "layers.1.running_mean", "layers.1.running_var",
                     "layers.1.num_batches_tracked", "layers.4.weight", "layers.4.bias"] {
            #expect(info.standardOutput.contains(name), "\(name)")
        }
        // evaluate runs in inference: twice the same figures.
        let first = try runTool(["evaluate", "--model", model.path, "--data", data.path, "--backend", "reference"])
        let second = try runTool(["evaluate", "--model", model.path, "--data", data.path, "--backend", "reference"])
        #expect(first.exitStatus == 0 && first.standardOutput == second.standardOutput, "\(first.standardError)")
    }

    @Test func specGivesEveryLayer() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("blobs.csv"), model = folder.appendingPathComponent("model.safetensors")
        try data.write(blobsCSV())
        let train = try runTool(["train", "--data", data.path, "--spec", "2,dense:6,layer-norm,relu,maxout:4:2,dropout:0.1,dense:3:softmax",
                                 "--epochs", "2", "--save", model.path, "--backend", "reference"])
        #expect(train.exitStatus == 0, "\(train.standardError)")
        let info = try runTool(["info", model.path])
        #expect(info.standardOutput.contains("architecture  2-6(identity)-layer-norm-relu-4(maxout:2)-dropout(0.1)-3(softmax), cross-entropy"),
                "\(info.standardOutput)")
        // 2*6+6 + 6+6 + (4*2)*(6+1) + 3*(4+1)
        #expect(info.standardOutput.contains("parameters    101"), "\(info.standardOutput)")
    }

    @Test func badLayerOptionsAreNamed() throws {
        let cases: [([String], String)] = [
            (["--dropout", "1.5"], "--dropout: 1.5; expected a probability in [0, 1)"),
            (["--normalization", "group"], "The value 'group' is invalid for '--normalization <normalization>'. Please provide one of 'batch' and 'layer'."),
            (["--spec", "2,dense:2:gelu"], "--spec: unknown activation 'gelu'; expected one of: identity, step, sigmoid, tanh, relu, "
                + "leaky-relu[:slope], elu[:alpha], relu6, swish, mish, softmax"),
            (["--spec", "2,dense:x,dense:2:softmax"], "--spec: entry 1 is 'dense:x'"),
            (["--spec", "2,dense:4,relu"], "--spec: the last layer must be dense:N[:activation], the output layer"),
            (["--spec", "2,dense:2:softmax", "--dropout", "0.1"], "--spec describes every layer"),
        ]
        for (arguments, message) in cases {
            let run = try runTool(["train", "--epochs", "1"] + arguments)
            #expect(run.exitStatus != 0 && run.standardError.contains(message), "\(arguments): \(run.standardError)")
        }
    }
}
