import ArgumentParser

/// `mlp-bench`: the release-built benchmarks of SwiftMLP, one subcommand per benchmark.
@main
struct MLPBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlp-bench",
        abstract: "Benchmarks for SwiftMLP.",
        subcommands: [GEMMBenchmark.self, TrainBenchmark.self, InferBenchmark.self, CalibrateBenchmark.self, OverheadBenchmark.self, ProfileBenchmark.self, MachineBenchmark.self])
}
