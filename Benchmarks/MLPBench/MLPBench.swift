import ArgumentParser
import LinearAlgebra

@main
struct MLPBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mlp-bench", abstract: "Benchmarks for SwiftMLP.")
}
