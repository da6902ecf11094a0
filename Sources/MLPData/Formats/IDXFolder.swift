/// Loads an MNIST-style folder: the four IDX files under their standard names, each raw or
/// gzip-compressed (`name` is tried first, then `name.gz`).
///
/// MNIST and Fashion-MNIST ship as `train-images-idx3-ubyte` `[60000, 28, 28]`,
/// `train-labels-idx1-ubyte` `[60000]`, `t10k-images-idx3-ubyte` `[10000, 28, 28]` and
/// `t10k-labels-idx1-ubyte` `[10000]`, labels 0...9.
public enum IDXFolder {
    /// The standard file names, without `.gz`.
    public static let trainingImages = "train-images-idx3-ubyte"
    public static let trainingLabels = "train-labels-idx1-ubyte"
    public static let testImages = "t10k-images-idx3-ubyte"
    public static let testLabels = "t10k-labels-idx1-ubyte"

    /// Features are bytes scaled by this when a batch is assembled: pixel 255 becomes 1.
    public static let pixelScale: Float = 1 / 255

    /// The training and test sets of the folder at `path`.
    ///
    /// Each image is one sample of `rows * columns` byte features (`.bytes`, scale 1/255) with
    /// its label as a class (`.classes`). Both sets get the same class count: `classCount`
    /// when given (a label not below it is an error), otherwise the largest label in either
    /// labels file plus 1.
    ///
    /// - Precondition: `classCount`, when given, is positive.
    /// - Throws: `IDXError.missingFile` for an absent file, `FileError` for an unreadable one,
    ///   `IDXError` for invalid contents or images and labels that do not pair up.
    public static func load(_ path: String, classCount: Int? = nil) throws -> (training: Dataset, test: Dataset) {
        precondition(classCount.map { $0 > 0 } ?? true, "IDXFolder: class count \(classCount!) must be positive")
        let folder = path.hasSuffix("/") ? String(path.dropLast()) : path
        let training = try readPair(folder, images: trainingImages, labels: trainingLabels)
        let test = try readPair(folder, images: testImages, labels: testLabels)
        guard training.images.dimensions.dropFirst() == test.images.dimensions.dropFirst() else {
            throw IDXError.sampleShapeMismatch(training: training.imagesFile, trainingShape: Array(training.images.dimensions.dropFirst()),
                                               test: test.imagesFile, testShape: Array(test.images.dimensions.dropFirst()))
        }
        let classes = classCount ?? (Int(max(training.labels.bytes.max() ?? 0, test.labels.bytes.max() ?? 0)) + 1)
        return (
            try dataset(images: training.images, imagesFile: training.imagesFile, labels: training.labels, labelsFile: training.labelsFile, classCount: classes),
            try dataset(images: test.images, imagesFile: test.imagesFile, labels: test.labels, labelsFile: test.labelsFile, classCount: classes)
        )
    }

    /// The test set (`t10k-*`) of the folder at `path` alone, for evaluating a model whose
    /// class count is known: the training files are not read (nor inflated).
    ///
    /// - Precondition: `classCount` is positive.
    public static func loadTestSet(_ path: String, classCount: Int) throws -> Dataset {
        precondition(classCount > 0, "IDXFolder: class count \(classCount) must be positive")
        let folder = path.hasSuffix("/") ? String(path.dropLast()) : path
        let test = try readPair(folder, images: testImages, labels: testLabels)
        return try dataset(images: test.images, imagesFile: test.imagesFile, labels: test.labels, labelsFile: test.labelsFile, classCount: classCount)
    }

    /// A data set from an images array `[count, ...]` and a labels array `[count]`.
    ///
    /// The images' bytes become the features without a copy.
    ///
    /// - Throws: `IDXError.wrongDimensionCount`, `.countMismatch` or `.labelOutOfRange`,
    ///   naming `imagesFile` and `labelsFile`.
    public static func dataset(images: IDXArray, imagesFile: String, labels: IDXArray, labelsFile: String, classCount: Int) throws(IDXError) -> Dataset {
        guard images.dimensions.count >= 2 else {
            throw .wrongDimensionCount(file: imagesFile, dimensions: images.dimensions, expected: "at least 2 (count, then each image's sizes)")
        }
        guard labels.dimensions.count == 1 else {
            throw .wrongDimensionCount(file: labelsFile, dimensions: labels.dimensions, expected: "1 (the label count)")
        }
        let count = images.dimensions[0]
        guard labels.dimensions[0] == count else {
            throw .countMismatch(images: imagesFile, imageCount: count, labels: labelsFile, labelCount: labels.dimensions[0])
        }
        if let index = labels.bytes.firstIndex(where: { Int($0) >= classCount }) {
            throw .labelOutOfRange(file: labelsFile, index: index, label: Int(labels.bytes[index]), classCount: classCount)
        }
        return Dataset(
            checked: count,
            featureCount: images.bytes.count / count,
            features: .bytes(images.bytes, scale: pixelScale),
            targets: .classes(labels.bytes.map { Int32($0) }, classCount: classCount)
        )
    }

    private static func readPair(_ folder: String, images: String, labels: String) throws
        -> (images: IDXArray, imagesFile: String, labels: IDXArray, labelsFile: String)
    {
        let (imagesArray, imagesFile) = try readEither(folder, images)
        let (labelsArray, labelsFile) = try readEither(folder, labels)
        return (imagesArray, imagesFile, labelsArray, labelsFile)
    }

    /// `folder/name`, else `folder/name.gz`, parsed; with the path that was read.
    private static func readEither(_ folder: String, _ name: String) throws -> (IDXArray, String) {
        for path in ["\(folder)/\(name)", "\(folder)/\(name).gz"] {
            do {
                return (try IDXArray(parsing: try BinaryFile.read(atPath: path), fileName: path), path)
            } catch FileError.notFound {
                continue
            }
        }
        throw IDXError.missingFile(folder: folder, name: name)
    }
}
