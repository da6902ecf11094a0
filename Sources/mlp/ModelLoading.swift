import NeuralNetwork

extension ArchitectureOptions {
    /// The model in `path`: its own architecture metadata, or the one these flags give (needed
    /// for files written elsewhere, such as PyTorch's).
    func loadModel(_ path: String) throws -> Network {
        guard isGiven else { return try Network(contentsOfFile: path) }
        guard let sizes = try sizes() else {
            throw CommandError("--layers is needed with --activation, --output or --loss to describe the model in \(path)")
        }
        return try Network(contentsOfFile: path, architecture: try architecture(defaultSizes: sizes))
    }
}
