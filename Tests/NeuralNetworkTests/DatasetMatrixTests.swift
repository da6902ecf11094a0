import Testing
@testable import NeuralNetwork

/// Data sets to and from matrices, one-hot rows, and the seeded (stratified) split.
@Suite("Dataset and Matrix")
struct DatasetMatrixTests {
    @Test func classDataRoundTrips() throws {
        let features = Matrix([[1, 2], [3, 4], [5, 6]])
        let data = try Dataset(features: features, labels: [2, 0, 1])
        #expect(data.count == 3 && data.featureCount == 2 && data.targetWidth == 3, "class count: the largest label + 1")
        #expect(data.featureMatrix == features)
        #expect(data.targetMatrix == Matrix([[0, 0, 1], [1, 0, 0], [0, 1, 0]]))
        #expect(data.labels == [2, 0, 1])
        #expect(try Dataset(features: features, labels: [2, 0, 1], classCount: 5).targetWidth == 5)
        // What the trainer copies is what the matrices hold.
        var inputs = [Float](repeating: .nan, count: 6), targets = [Float](repeating: .nan, count: 9)
        data.copyBatch(0..<3, inputs: &inputs, targets: &targets)
        #expect(inputs == features.elements && targets == data.targetMatrix.elements)
    }

    @Test func regressionAndByteDataRoundTrip() throws {
        let features = Matrix([[1, -2, 0.5], [3, 4, 8]]), targets = Matrix([[0.25], [-7]])
        let data = try Dataset(features: features, targets: targets)
        #expect(data.featureMatrix == features && data.targetMatrix == targets && data.labels == nil)
        let rebuilt = try Dataset(features: data.featureMatrix, targets: data.targetMatrix)
        #expect(rebuilt == data)
        // Bytes come out times their scale.
        let images = try Dataset(count: 2, featureCount: 2, features: .bytes([0, 51, 102, 255], scale: 1 / 255),
                                 targets: .classes([1, 0], classCount: 2))
        #expect(images.featureMatrix == Matrix([[0, Float(51) * (1 / 255)], [Float(102) * (1 / 255), 1]]))
        // A set for prediction only: no target columns.
        let inputsOnly = try Dataset(features: features, targets: Matrix(rows: 2, columns: 0))
        #expect(inputsOnly.targetWidth == 0 && inputsOnly.targetMatrix == Matrix(rows: 2, columns: 0))
    }

    @Test func mismatchedMatricesAreTypedErrors() {
        let features = Matrix([[1], [2]])
        #expect(throws: DatasetError.rowMismatch(features: 2, targets: 3)) { try Dataset(features: features, labels: [0, 1, 1]) }
        #expect(throws: DatasetError.rowMismatch(features: 2, targets: 1)) { try Dataset(features: features, targets: Matrix([[1]])) }
        #expect(throws: DatasetError.labelOutOfRange(index: 1, label: 3, classCount: 2)) {
            try Dataset(features: features, labels: [0, 3], classCount: 2)
        }
        #expect(throws: DatasetError.labelOutOfRange(index: 0, label: -1, classCount: 1)) { try Dataset(features: features, labels: [-1, 0]) }
        #expect(throws: DatasetError.invalidClassCount(0)) { try Dataset(features: Matrix(rows: 0, columns: 2), labels: []) }
    }

    @Test func oneHot() throws {
        #expect(try Matrix(oneHot: [2, 0, 1, 2], classCount: 3)
                == Matrix([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]))
        #expect(try Matrix(oneHot: [], classCount: 4) == Matrix(rows: 0, columns: 4))
        #expect(throws: DatasetError.labelOutOfRange(index: 1, label: 3, classCount: 3)) { try Matrix(oneHot: [0, 3], classCount: 3) }
        #expect(throws: DatasetError.invalidClassCount(0)) { try Matrix(oneHot: [0], classCount: 0) }
    }

    /// Sample i has the single feature i, so a split shows which samples went where.
    static func indexed(_ labels: [Int32]) throws -> Dataset {
        try Dataset(features: Matrix(rows: labels.count, columns: 1, elements: labels.indices.map(Float.init)), labels: labels)
    }

    static func samples(_ data: Dataset) -> [Int] { data.featureMatrix.elements.map { Int($0) } }

    @Test func shuffledSplitIsSeededAndCoversEverySampleOnce() throws {
        let data = try Self.indexed((0..<103).map { Int32($0 % 4) })
        let (training, validation) = try data.shuffledSplit(validationFraction: 0.25, seed: 9)
        #expect(validation.count == 26 && training.count == 77, "round(0.25 * 103) = 26 held out")
        #expect((Self.samples(training) + Self.samples(validation)).sorted() == Array(0..<103))
        #expect(Self.samples(validation) != Array(0..<26) && Self.samples(validation) != Array(77..<103), "shuffled, not file order")
        // Same seed, same split; another seed, another split.
        let again = try data.shuffledSplit(validationFraction: 0.25, seed: 9)
        #expect(again.training == training && again.validation == validation)
        #expect(try Self.samples(data.shuffledSplit(validationFraction: 0.25, seed: 10).validation) != Self.samples(validation))
        // Labels travel with their samples.
        for part in [training, validation] {
            #expect(zip(Self.samples(part), part.labels!).allSatisfy { Int32($0 % 4) == $1 })
        }
        #expect(try data.shuffledSplit(validationFraction: 0, seed: 1).validation.count == 0)
    }

    @Test func stratifiedSplitKeepsClassProportions() throws {
        func classCounts(_ data: Dataset, _ classes: Int) -> [Int] {
            var counts = [Int](repeating: 0, count: classes)
            for label in data.labels! { counts[Int(label)] += 1 }
            return counts
        }
        // 50, 30, 20 samples, a quarter held out: 25 = 12.5 + 7.5 + 5; floors 12, 7, 5 and the one left
        // goes to the larger remainder, class 0 before class 1 on the tie.
        let labels: [Int32] = (0..<100).map { $0 < 50 ? 0 : $0 < 80 ? 1 : 2 }
        let data = try Self.indexed(labels)
        for seed: UInt64 in [1, 2, 3] {
            let (training, validation) = try data.shuffledSplit(validationFraction: 0.25, seed: seed, stratified: true)
            #expect(classCounts(validation, 3) == [13, 7, 5] && classCounts(training, 3) == [37, 23, 15])
            #expect((Self.samples(training) + Self.samples(validation)).sorted() == Array(0..<100))
            #expect(zip(Self.samples(validation), validation.labels!).allSatisfy { labels[$0] == $1 })
        }
        // scikit-learn's breast-cancer shape: 212 and 357, 25 %: 142 held, 52.9 and 89.1 -> 53 and 89.
        let cancer = try Self.indexed((0..<569).map { $0 < 212 ? 0 : 1 })
        let split = try cancer.shuffledSplit(validationFraction: 0.25, seed: 0, stratified: true)
        #expect(classCounts(split.validation, 2) == [53, 89] && classCounts(split.training, 2) == [159, 268])
        #expect(Dataset.largestRemainderQuotas(sizes: [212, 357], total: 569, held: 142) == [53, 89])
        #expect(Dataset.largestRemainderQuotas(sizes: [1, 1, 1], total: 3, held: 2) == [1, 1, 0])
    }

    @Test func badSplitsAreTypedErrors() throws {
        let data = try Self.indexed([0, 1, 0, 1])
        #expect(throws: DatasetError.invalidFraction(1)) { try data.shuffledSplit(validationFraction: 1, seed: 1) }
        #expect(throws: DatasetError.invalidFraction(-0.1)) { try data.shuffledSplit(validationFraction: -0.1, seed: 1) }
        let regression = try Dataset(features: Matrix([[1], [2]]), targets: Matrix([[1], [2]]))
        #expect(throws: DatasetError.stratifyNeedsLabels) { try regression.shuffledSplit(validationFraction: 0.5, seed: 1, stratified: true) }
        #expect(try regression.shuffledSplit(validationFraction: 0.5, seed: 1).validation.count == 1)
    }
}
