import Foundation
import Testing

/// Every bad input ends the tool with a non-zero status and one line naming what was wrong
/// (and where), never a trap, and a failed run leaves an existing --save file untouched.
@Suite struct ErrorTests {
    /// A folder with a good CSV, a ragged one, a non-numeric one, one with a label out of
    /// range, a truncated IDX folder, a corrupt model and a saved model.
    final class Workspace: @unchecked Sendable {
        let folder: URL
        init() throws {
            folder = try makeTemporaryFolder()
            try path("good.csv").write(blobsCSV(count: 30))
            try path("ragged.csv").write("label,x,y\n0,1,2\n1,3\n")
            try path("text.csv").write("0,1,2\n1,abc,4\n")
            try path("labels.csv").write("0,1,2\n7,3,4\n")
            try path("nan.csv").write("0,1,2\n1,nan,4\n")
            try path("huge-label.csv").write("2147483646,1\n")  // a fuzzer's find: 2^31 - 1 classes
            try path("corrupt.safetensors").write("this is not a model")
            let idx = path("idx")
            try FileManager.default.createDirectory(at: idx, withIntermediateDirectories: true)
            // Good labels, images whose header promises more bytes than follow.
            try Data([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3]).write(to: idx.appendingPathComponent("train-images-idx3-ubyte"))
            try Data([0, 0, 8, 1, 0, 0, 0, 2, 0, 1]).write(to: idx.appendingPathComponent("train-labels-idx1-ubyte"))
            try Data([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4]).write(to: idx.appendingPathComponent("t10k-images-idx3-ubyte"))
            try Data([0, 0, 8, 1, 0, 0, 0, 1, 0]).write(to: idx.appendingPathComponent("t10k-labels-idx1-ubyte"))
            let magic = path("magic")
            try FileManager.default.createDirectory(at: magic, withIntermediateDirectories: true)
            for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
                try Data([1, 2, 3, 4, 5, 6, 7, 8]).write(to: magic.appendingPathComponent(name))
            }
            let run = try runTool(["train", "--data", path("good.csv").path, "--layers", "2,4,3", "--epochs", "1",
                                   "--save", path("model.safetensors").path])
            precondition(run.exitStatus == 0, run.standardError)
        }
        func path(_ name: String) -> URL { folder.appendingPathComponent(name) }
        deinit { try? FileManager.default.removeItem(at: folder) }
    }

    static let workspace = try! Workspace()

    /// (arguments with `@` standing for the workspace folder, a fragment the one error line must contain)
    static let cases: [([String], String)] = [
        (["train", "--data", "@/missing.csv"], "@/missing.csv: no such file or folder"),
        (["train", "--data", "@/ragged.csv"], "ragged.csv: line 3: expected 3 cells"),
        (["train", "--data", "@/text.csv"], "text.csv: line 2, column 2: expected a number, found 'abc'"),
        (["train", "--data", "@/labels.csv", "--layers", "2,4,3"], "labels.csv: line 2"),
        (["train", "--data", "@/nan.csv"], "nan.csv: line 2"),
        (["train", "--data", "@/huge-label.csv"], "the network the data implies, 1,64,64,2147483647: 139586441343 parameters"),
        (["train", "--data", "@/idx"], "train-images-idx3-ubyte"),
        (["train", "--data", "@/magic"], "magic"),
        // Option values: the parser names flag and value and lists what is allowed (from the types' allCases).
        (["train", "--data", "@/good.csv", "--activation", "relu7"],
         "The value 'relu7' is invalid for '--activation <activation>'. Please provide one of the following: identity, step, "
            + "sigmoid, tanh, relu, leaky-relu[:slope], elu[:alpha], relu6, swish, mish, maxout[:pieces]"),
        (["train", "--data", "@/good.csv", "--activation", "maxout:0"], "The value 'maxout:0' is invalid for '--activation <activation>'"),
        (["train", "--data", "@/good.csv", "--activation", "softmax"], "--activation: softmax is for the output layer only (use --output softmax)"),
        (["train", "--data", "@/good.csv", "--output", "sigmoidal"],
         "The value 'sigmoidal' is invalid for '--output <output>'. Please provide one of the following: identity, step, "
            + "sigmoid, tanh, relu, leaky-relu[:slope], elu[:alpha], relu6, swish, mish, softmax"),
        (["train", "--data", "@/good.csv", "--loss", "hinge"],
         "The value 'hinge' is invalid for '--loss <loss>'. Please provide one of 'quadratic', 'cross-entropy' or 'binary-cross-entropy'."),
        (["train", "--data", "@/good.csv", "--optimizer", "lbfgs"],
         "The value 'lbfgs' is invalid for '--optimizer <optimizer>'. Please provide one of the following: sgd, momentum, nesterov, rmsprop, adam, adamw"),
        (["train", "--data", "@/good.csv", "--backend", "cuda"],
         "The value 'cuda' is invalid for '--backend <backend>'. Please provide one of 'reference', 'swift', 'openblas' or 'auto'."),
        (["train", "--data", "@/good.csv", "--initializer", "uniform"],
         "The value 'uniform' is invalid for '--initializer <initializer>'. Please provide one of 'xavier-uniform', 'xavier-normal', "
            + "'he-normal', 'lecun-normal' or 'normal[:sigma]'."),
        (["train", "--data", "@/good.csv", "--schedule", "cosine:0"],
         "The value 'cosine:0' is invalid for '--schedule <schedule>'. Please provide one of 'constant', 'step:FACTOR:EVERY', 'cosine' or "
            + "'cosine:EPOCHS[:MINIMUM]'."),
        (["train", "--data", "@/good.csv", "--batch-size", "0"], "--batch-size must be at least 1, got 0"),
        (["train", "--data", "@/good.csv", "--epochs", "0"], "--epochs must be at least 1, got 0"),
        (["train", "--data", "@/good.csv", "--learning-rate=-0.1"], "--learning-rate must be a finite number >= 0, got -0.1"),
        (["train", "--data", "@/good.csv", "--learning-rate", "nan"], "--learning-rate must be a finite number >= 0, got nan"),
        (["train", "--data", "@/good.csv", "--validation-split", "1.5"], "--validation-split must be in [0, 1)"),
        (["train", "--data", "@/good.csv", "--threads", "0"], "--threads must be at least 1, got 0"),
        (["train", "--data", "@/good.csv", "--allreduce-bucket", "64"], "--allreduce-bucket applies only with --distributed"),
        (["train", "--data", "@/good.csv", "--distributed", "--allreduce-bucket", "-1"],
         "--allreduce-bucket must be a whole number of KiB from 0 (one allreduce after the backward pass) to 1048576 (1 GiB), got -1"),
        (["train", "--data", "@/good.csv", "--distributed", "--allreduce-bucket", "1048577"], "to 1048576 (1 GiB), got 1048577"),
        (["train", "--data", "@/good.csv", "--layers", "3,4,3"], "--layers starts with 3 inputs, but the data has 2 features"),
        (["train", "--data", "@/good.csv", "--targets", "1", "--layers", "2,4,3"],
         "--layers ends with 3 outputs, but the data has 1 target columns"),
        (["train", "--data", "@/good.csv", "--layers", "2,4,2"], "good.csv: line 4, column 1: class label 2; expected 0..<2"),
        (["train", "--data", "@/good.csv", "--layers", "2,x,3"], "--layers: entry 2 is 'x'"),
        (["train", "--data", "@/good.csv", "--init", "@/corrupt.safetensors"], "corrupt.safetensors"),
        (["train", "--data", "@/good.csv", "--init", "@/model.safetensors", "--layers", "2,5,3"],
         "model.safetensors: tensor 'layers.0.weight' has shape [4, 2], the architecture needs [5, 2]"),
        (["evaluate", "--model", "@/missing.safetensors", "--data", "@/good.csv"], "missing.safetensors"),
        (["predict", "--model", "@/model.safetensors", "--input", "@/text.csv"], "text.csv: line 2, column 2"),
        (["predict", "--model", "@/model.safetensors", "--input", "@/good.csv"], "good.csv: rows have 3 values, the model"),
        (["info", "@/corrupt.safetensors"], "corrupt.safetensors"),
    ]

    @Test(arguments: 0..<cases.count)
    func badInputIsOneClearLine(_ index: Int) throws {
        let folder = Self.workspace.folder.path
        let (arguments, fragment) = Self.cases[index]
        let run = try runTool(arguments.map { $0.replacingOccurrences(of: "@", with: folder) })
        let expected = fragment.replacingOccurrences(of: "@", with: folder)
        #expect(run.exitStatus != 0, "\(arguments) succeeded")
        #expect(run.exitStatus < 128, "\(arguments) died of a signal: \(run.exitStatus)")
        let lines = run.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(arguments): expected one line, got:\n\(run.standardError)")
        #expect(run.standardError.contains(expected), "\(arguments): '\(run.standardError)' lacks '\(expected)'")
    }

    /// A loss that becomes infinite stops training with epoch and batch, exits non-zero, and
    /// the existing --save file keeps its bytes.
    @Test func divergingTrainingSavesNothing() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("regression.csv"), save = folder.appendingPathComponent("model.safetensors")
        try data.write((0..<20).map { "\($0),\(2 * $0 + 1)" }.joined(separator: "\n") + "\n")
        try save.write("precious")
        let run = try runTool(["train", "--data", data.path, "--targets", "1", "--layers", "1,4,1", "--output", "identity",
                               "--optimizer", "sgd", "--learning-rate", "1e6", "--epochs", "5", "--save", save.path])
        #expect(run.exitStatus == 1)
        #expect(run.standardError.contains("training stopped: the loss became"))
        #expect(run.standardError.contains(" at epoch ") && run.standardError.contains(", batch "))
        #expect(try String(contentsOf: save, encoding: .utf8) == "precious")
    }
}

extension ErrorTests {
    /// Malformed command lines are one line too, with the usage status 64.
    @Test(arguments: [["train", "--batch-size", "abc"], ["train", "--bogus"], ["evaluate"]])
    func malformedCommandLineIsOneLine(_ arguments: [String]) throws {
        let run = try runTool(arguments)
        #expect(run.exitStatus == 64)
        #expect(run.standardError.split(separator: "\n").count == 1, "\(run.standardError)")
        #expect(run.standardError.hasPrefix("Error: "))
    }
}
