import ArgumentParser
import NeuralNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `mlp`: train, evaluate and run multi-layer perceptrons from the shell. No maths here: every
/// computation is the NeuralNetwork library's; this target parses, loads, prints and saves.
@main
struct MLP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlp",
        abstract: "Train and run multi-layer perceptrons (feedforward neural networks).",
        discussion: """
            Models are safetensors files (layers.{i}.weight [out, in], layers.{i}.bias [out]) \
            whose metadata records the architecture. Data is an MNIST-style folder of IDX files \
            (raw or .gz) or a numeric CSV file.
            """,
        subcommands: [Train.self, Evaluate.self, Predict.self, GradCheck.self, Info.self])

    /// Runs the command; any failure is reported as one line, `Error: <what and where>`, with a
    /// non-zero status (64 for a malformed command line, 1 otherwise). Help goes to stdout.
    /// Standard output is flushed and checked at the end: output that could not be written
    /// (a full disk, a closed pipe) is an error too, never a silent success.
    ///
    /// No file this process reads is ever written over by it (``BinaryFile/protectsInputs``).
    static func main() {
        BinaryFile.protectsInputs = true
        let code: ExitCode
        do {
            var command = try parseAsRoot()
            try command.run()
            try StandardOutput.flush()
            return
        } catch {
            code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
            } else if code != .failure || !(error is ExitCode) {
                let message = printable(oneLine(self.message(for: error)))  // it may quote a file's bytes
                writeToStandardError((message.hasPrefix("Error: ") ? message : "Error: " + message) + "\n")
            }
        }
        Self.exit(withError: code == .success ? nil : code)
    }

    /// The parser's message on one line: it lists six or more allowed values one per line
    /// (`one of the following:\n  - sgd\n  - momentum ...`), which become `one of the following: sgd, momentum, ...`.
    static func oneLine(_ message: String) -> String {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false)
        let item = "  - "
        guard lines.count > 1, lines.dropFirst().allSatisfy({ $0.hasPrefix(item) }) else { return message }
        return lines[0] + " " + lines.dropFirst().map { $0.dropFirst(item.count) }.joined(separator: ", ")
    }
}
