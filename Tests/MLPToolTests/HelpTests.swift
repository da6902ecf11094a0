import Testing

@Suite struct HelpTests {
    @Test func helpListsEverySubcommand() throws {
        let run = try runTool(["--help"])
        #expect(run.exitStatus == 0)
        for name in ["train", "evaluate", "predict", "gradcheck", "info"] {
            #expect(run.standardOutput.contains(name), "help text lacks '\(name)':\n\(run.standardOutput)")
        }
    }
}
