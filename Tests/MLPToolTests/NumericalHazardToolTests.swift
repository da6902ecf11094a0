import Foundation
import Testing

/// Non-finite data and absurd sizes end the tool with one line, never a trap or an
/// out-of-memory kill.
@Suite struct NumericalHazardToolTests {
    @Test("NaN and infinities in a CSV are reported with line and column",
          arguments: [("0,1,2\n1,3,4\n2,inf,5\n", "line 3, column 2: 'inf' is not finite"),
                      ("0,1,2\n1,-inf,4\n", "line 2, column 2: '-inf' is not finite"),
                      ("0,1,NaN\n", "line 1, column 3: 'NaN' is not finite"),
                      ("1,2,0.5\n3,4,1e999\n", "line 2, column 3: '1e999' is not finite")])
    func nonFiniteCells(csv: String, fragment: String) throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("data.csv")
        try file.write(csv)
        // The last case is a regression set (one target column): the target is checked too.
        let extra = csv.hasPrefix("1,2") ? ["--targets", "1", "--output", "identity"] : []
        let result = try runTool(["train", "--data", file.path, "--epochs", "1"] + extra)
        #expect(result.exitStatus == 1)
        #expect(result.standardError == "Error: \(file.path): \(fragment); features and targets must be finite numbers\n")
    }

    @Test("layer sizes whose parameter count overflows or exceeds memory are refused in one line",
          arguments: [("2,100000000,100000000,2", "10000000600000002 parameters need 160.0 PB to train"),
                      ("2,10000000000,10000000000,2", "the parameter count overflows a 64-bit integer"),
                      ("2,3037000500,3037000500,2", "the parameter count overflows a 64-bit integer"),
                      ("2,4000000000,2", "20000000002 parameters need 320.0 GB to train")])
    func absurdLayers(layers: String, fragment: String) throws {
        for command in [["train", "--epochs", "1"], ["gradcheck"]] {
            let arguments = command + ["--layers", command[0] == "gradcheck" ? "4" + layers.drop { $0 != "," } : layers]
            let result = try runTool(arguments)
            #expect(result.exitStatus == 1, "\(arguments)")
            let lines = result.standardError.split(separator: "\n")
            // gradcheck's input size is 4, so its count differs; the kind of message does not.
            let expected = command[0] == "train" ? fragment : fragment.contains("overflows") ? fragment : "of memory"
            #expect(lines.count == 1 && lines[0].hasPrefix("Error: --layers ") && lines[0].contains(expected), "\(result.standardError)")
        }
    }
}
