import ArgumentParser
import NeuralNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--data` and how to read a CSV file.
struct DataOptions: ParsableArguments {
    @Option(help: "An MNIST-style folder of IDX files (train-*/t10k-*, raw or .gz) or a numeric CSV file.")
    var data: String?

    @Option(help: "CSV: the label column, 1-based index or header name (default: the first column).")
    var labelColumn: String?

    @Option(parsing: .unconditional, help: "CSV regression: the number of target columns at the end of each row (instead of a label column).")
    var targets: Int?

    /// The training set and, for an IDX folder, its test set.
    ///
    /// - Parameter classCount: the output size when it is known, so labels beyond it are errors.
    func load(classCount: Int?) throws -> (training: Dataset, test: Dataset?) {
        guard let data else { throw CommandError("no --data given") }
        var status = stat()
        guard stat(data, &status) == 0 else { throw CommandError("\(data): no such file or folder") }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            let (training, test) = try IDXFolder.load(data, classCount: classCount)
            return (training, test)
        }
        return (try CSVDataset.load(data, targets: try csvTargets(classCount: classCount)), nil)
    }

    /// The data to evaluate a model on: an IDX folder's test set alone (its training set is not
    /// read), or a CSV file as a whole.
    func loadForEvaluation(classCount: Int) throws -> Dataset {
        guard let data else { throw CommandError("no --data given") }
        if BinaryFile.isFolder(atPath: data) { return try IDXFolder.loadTestSet(data, classCount: classCount) }
        return try load(classCount: classCount).training
    }

    func csvTargets(classCount: Int?) throws -> CSVTargets {
        if let targets {
            guard targets >= 1 else { throw CommandError("--targets must be at least 1, got \(targets)") }
            guard labelColumn == nil else { throw CommandError("--targets and --label-column exclude each other") }
            return .lastColumns(targets)
        }
        guard let labelColumn else { return .classLabel(column: .index(0), classCount: classCount) }
        if let index = Int(labelColumn) {
            guard index >= 1 else { throw CommandError("--label-column: column numbers start at 1, got \(index)") }
            return .classLabel(column: .index(index - 1), classCount: classCount)
        }
        return .classLabel(column: .name(labelColumn), classCount: classCount)
    }
}
