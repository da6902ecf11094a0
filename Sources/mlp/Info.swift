import ArgumentParser
import NeuralNetwork

/// `mlp info`: what a model file holds.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a model file's architecture, parameter count, tensors and metadata.")

    @Argument(help: "The model file (safetensors).")
    var file: String

    func run() throws {
        let contents = try SafeTensors(contentsOfFile: file)
        if contents.metadata[Network.architectureMetadataKey] != nil {
            let network = try Network(safeTensors: contents, fileName: file)
            print("architecture  \(Architecture(of: network))")
            if let standardizer = network.standardizer {
                print("standardizer  (x - standardizer.mean) / standardizer.scale on \(standardizer.featureCount) features")
            }
        } else {
            print("architecture  (not recorded; give --layers, --activation and --output when using this file)")
        }
        let parameters = contents.tensors.values.reduce(0) { $0 + $1.values.count }
        print("parameters    \(parameters)")
        print("tensors")
        // Names and metadata come from the file: escaped, so they cannot drive the terminal.
        let width = contents.names.map { printable($0).count }.max() ?? 0
        for name in contents.names {
            print("  " + pad(printable(name), width) + "  \(contents.tensors[name]!.shape)")
        }
        if !contents.metadata.isEmpty {
            print("metadata")
            for key in contents.metadata.keys.sorted() { print("  \(printable(key)): \(printable(contents.metadata[key]!))") }
        }
    }
}
