import Testing

@Suite struct HelpTests {
    @Test func helpListsEverySubcommand() throws {
        let run = try runTool(["--help"])
        #expect(run.exitStatus == 0)
        for name in ["train", "evaluate", "predict", "gradcheck", "info"] {
            #expect(run.standardOutput.contains("  \(name) "), "help text lacks '\(name)':\n\(run.standardOutput)")
        }
    }

    /// The flags of docs/DESIGN.md's command-line contract, which scripts rely on, all exist.
    @Test func trainHelpListsTheContractFlags() throws {
        let run = try runTool(["train", "--help"])
        #expect(run.exitStatus == 0)
        let flags = ["--data", "--layers", "--activation", "--output", "--loss", "--optimizer", "--learning-rate",
                     "--batch-size", "--epochs", "--seed", "--backend", "--threads", "--init", "--save", "--no-shuffle",
                     "--validation-split", "--weight-decay", "--plot", "--json", "--verify", "--plot-boundary"]
        for flag in flags {
            #expect(run.standardOutput.contains(flag + " ") || run.standardOutput.contains(flag + "\n"),
                    "train --help lacks \(flag)")
        }
    }
}
