/// Samples and their targets held in memory, one sample per row.
///
/// Image data stays as bytes (scaled to [0, 1] by `scale` only when a batch is assembled), so
/// Fashion-MNIST's 60,000 training images take 47 MB instead of 188 MB. Targets are either
/// class labels, expanded to one-hot rows per batch, or real-valued rows for regression.
public struct Dataset: Sendable, Equatable {
    /// The feature storage.
    public enum Features: Sendable, Equatable {
        /// Bytes, each multiplied by `scale` when a batch is assembled (1/255 for images).
        case bytes([UInt8], scale: Float)
        /// Values as they are.
        case floats([Float])
    }

    /// The target storage.
    public enum Targets: Sendable, Equatable {
        /// A class index in `0..<classCount` per sample; a batch holds them one-hot.
        case classes([Int32], classCount: Int)
        /// `width` real values per sample.
        case values([Float], width: Int)
    }

    /// Number of samples.
    public let count: Int
    /// Features per sample (the input layer's size).
    public let featureCount: Int
    /// The features, `count * featureCount` of them, sample after sample.
    public let features: Features
    /// The targets.
    public let targets: Targets

    /// A data set; checks that the storage sizes agree and labels are in range.
    ///
    /// - Throws: ``DatasetError`` naming what does not fit: a negative shape, a size that
    ///   overflows, storage of another size than `count` rows, a class count below 1 or a label
    ///   outside `0..<classCount`.
    public init(count: Int, featureCount: Int, features: Features, targets: Targets) throws(DatasetError) {
        guard count >= 0, featureCount >= 0 else { throw .negativeShape(count: count, featureCount: featureCount) }
        guard let featureTotal = CheckedSize.product(count, featureCount) else {
            throw .sizeOverflow(count: count, width: featureCount)
        }
        let featureStorage: Int
        switch features {
        case .bytes(let bytes, _): featureStorage = bytes.count
        case .floats(let floats): featureStorage = floats.count
        }
        guard featureStorage == featureTotal else {
            throw .storageMismatch(what: "features", expected: featureTotal, got: featureStorage)
        }
        switch targets {
        case .classes(let labels, let classCount):
            guard classCount >= 1 else { throw .invalidClassCount(classCount) }
            guard labels.count == count else { throw .storageMismatch(what: "labels", expected: count, got: labels.count) }
            if let index = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
                throw .labelOutOfRange(index: index, label: Int(labels[index]), classCount: classCount)
            }
        case .values(let values, let width):
            guard width >= 0 else { throw .negativeShape(count: count, featureCount: width) }
            guard let total = CheckedSize.product(count, width) else { throw .sizeOverflow(count: count, width: width) }
            guard values.count == total else { throw .storageMismatch(what: "target values", expected: total, got: values.count) }
        }
        self.init(checked: count, featureCount: featureCount, features: features, targets: targets)
    }

    /// A data set whose sizes and labels the caller has already checked (loaders, subsets).
    package init(checked count: Int, featureCount: Int, features: Features, targets: Targets) {
        self.count = count
        self.featureCount = featureCount
        self.features = features
        self.targets = targets
    }

    /// Values per target row: the class count for classification, the width for regression.
    public var targetWidth: Int {
        switch targets {
        case .classes(_, let classCount): classCount
        case .values(_, let width): width
        }
    }

    /// The class labels, or nil for a regression set.
    public var labels: [Int32]? {
        if case .classes(let labels, _) = targets { return labels }
        return nil
    }

    /// Writes the samples `indices` (in that order) as rows of `inputs` (`featureCount` wide)
    /// and their targets as rows of `targets` (`targetWidth` wide, one-hot for classes).
    public func copyBatch<Indices: Collection<Int>>(
        _ indices: Indices,
        inputs: UnsafeMutablePointer<Float>,
        targets targetRows: UnsafeMutablePointer<Float>
    ) {
        copyFeatures(indices, into: inputs)
        copyTargets(indices, into: targetRows)
    }

    /// Writes the features of the samples `indices` (in that order) as rows of `inputs`,
    /// `featureCount` wide (bytes times their scale).
    public func copyFeatures<Indices: Collection<Int>>(_ indices: Indices, into inputs: UnsafeMutablePointer<Float>) {
        for (row, sample) in indices.enumerated() {
            precondition(sample >= 0 && sample < count, "Dataset: sample \(sample) outside 0..<\(count)")
            let input = inputs + row * featureCount
            switch features {
            case .bytes(let bytes, let scale):
                bytes.withUnsafeBufferPointer { b in
                    let source = b.baseAddress! + sample * featureCount
                    for j in 0..<featureCount { input[j] = Float(source[j]) * scale }
                }
            case .floats(let floats):
                floats.withUnsafeBufferPointer { f in
                    input.update(from: f.baseAddress! + sample * featureCount, count: featureCount)
                }
            }
        }
    }

    /// Writes the targets of the samples `indices` (in that order) as rows of `targets`,
    /// `targetWidth` wide: one-hot rows for class labels, the values for regression.
    public func copyTargets<Indices: Collection<Int>>(_ indices: Indices, into targetRows: UnsafeMutablePointer<Float>) {
        let width = targetWidth
        for (row, sample) in indices.enumerated() {
            precondition(sample >= 0 && sample < count, "Dataset: sample \(sample) outside 0..<\(count)")
            let target = targetRows + row * width
            switch targets {
            case .classes(let labels, _):
                target.update(repeating: 0, count: width)
                target[Int(labels[sample])] = 1
            case .values(let values, _):
                values.withUnsafeBufferPointer { v in
                    target.update(from: v.baseAddress! + sample * width, count: width)
                }
            }
        }
    }

    /// The samples `indices` as a data set of their own, in that order.
    public func subset<Indices: Collection<Int>>(_ indices: Indices) -> Dataset {
        let newFeatures: Features
        switch features {
        case .bytes(let bytes, let scale):
            var out = [UInt8](); out.reserveCapacity(indices.count * featureCount)
            for i in indices { out.append(contentsOf: bytes[(i * featureCount)..<((i + 1) * featureCount)]) }
            newFeatures = .bytes(out, scale: scale)
        case .floats(let floats):
            var out = [Float](); out.reserveCapacity(indices.count * featureCount)
            for i in indices { out.append(contentsOf: floats[(i * featureCount)..<((i + 1) * featureCount)]) }
            newFeatures = .floats(out)
        }
        let newTargets: Targets
        switch targets {
        case .classes(let labels, let classCount):
            newTargets = .classes(indices.map { labels[$0] }, classCount: classCount)
        case .values(let values, let width):
            var out = [Float](); out.reserveCapacity(indices.count * width)
            for i in indices { out.append(contentsOf: values[(i * width)..<((i + 1) * width)]) }
            newTargets = .values(out, width: width)
        }
        return Dataset(checked: indices.count, featureCount: featureCount, features: newFeatures, targets: newTargets)
    }

    /// The number of samples ``splitValidation(fraction:)`` holds out: `fraction * count`, rounded.
    public func validationCount(fraction: Double) -> Int {
        Int((Double(count) * fraction).rounded())
    }

    /// Splits off the last `fraction` of the samples (in file order) as a validation set,
    /// as Keras's `validation_split` does.
    ///
    /// - Precondition: `0 <= fraction < 1`.
    public func splitValidation(fraction: Double) -> (training: Dataset, validation: Dataset) {
        precondition(fraction >= 0 && fraction < 1, "Dataset: validation fraction \(fraction) outside [0, 1)")
        let cut = count - validationCount(fraction: fraction)
        return (subset(0..<cut), subset(cut..<count))
    }
}
