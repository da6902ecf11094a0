import ArgumentParser
import NeuralNetwork

@main
struct MLP: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mlp", abstract: "Train and run multi-layer perceptrons.")
}
