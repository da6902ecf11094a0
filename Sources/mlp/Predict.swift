import ArgumentParser
import NeuralNetwork

/// `mlp predict`: one line per input row, the predicted class or the output vector (always the
/// output values for a regression model, one whose output layer is identity). The rows are raw
/// features: a model saved with a standardizer applies it.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict: one line per input row with the predicted class (or --probabilities); a regression model's values.")

    @Option(help: "The model file (safetensors).")
    var model: String
    @Option(help: "A CSV file of feature columns only (a header line is allowed).")
    var input: String
    @Flag(help: "Print the output vector as comma-separated values instead of the class.")
    var probabilities = false
    @OptionGroup var architectureOptions: ArchitectureOptions
    @OptionGroup var compute: ComputeOptions

    func run() throws {
        let network = try architectureOptions.loadModel(model)
        let data = try CSVDataset.load(input, targets: .none)
        guard data.featureCount == network.inputSize else {
            throw CommandError("\(input): rows have \(data.featureCount) values, the model \(model) takes \(network.inputSize) inputs")
        }
        let outputs = try network.outputs(for: data, backend: try compute.make())
        var text = ""
        // A regression model (identity output) predicts values, not classes.
        if probabilities || network.isRegression {
            for i in 0..<outputs.rows {
                text += (0..<outputs.columns).map { "\(outputs[i, $0])" }.joined(separator: ",") + "\n"
            }
        } else {
            for c in network.predictedClasses(outputs: outputs) { text += "\(c)\n" }
        }
        print(text, terminator: "")
    }
}
