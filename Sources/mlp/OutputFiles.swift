import NeuralNetwork

/// The files a `mlp train` run writes at its end (`--save`, `--plot`, `--plot-boundary`),
/// checked before the first epoch, so that a run never trains for an hour to fail at the end.
///
/// Each path must be writable by ``BinaryFile/writeAtomically(_:toPath:)``'s rules (absent, a
/// regular file or a link to one, in a writable folder, and not an input of this run), no two
/// flags may name the same file, and `--plot-boundary` needs 2-D data with class labels.
enum OutputFiles {
    static func check(_ command: Train, training: Dataset) throws {
        let outputs = [("--save", command.save), ("--plot", command.plot), ("--plot-boundary", command.plotBoundary)]
            .compactMap { flag, path in path.map { (flag: flag, path: $0) } }
        for (index, output) in outputs.enumerated() {
            do { try BinaryFile.checkWritable(output.path) } catch { throw CommandError("\(output.flag) \(error.description)") }
            if let earlier = outputs[..<index].first(where: { $0.path == output.path }) {
                throw CommandError("\(output.flag) \(output.path): also given to \(earlier.flag); one file cannot hold both")
            }
        }
        if command.plotBoundary != nil {
            try DecisionBoundary.check(training)
        }
    }
}
