import Testing
@testable import MLPData

/// Fault suite, class 9: what a caller's data can get wrong is a thrown ``DatasetError`` naming
/// the numbers, never a trap (a release build used to stop with no message).
@Test func datasetInitialiserThrowsTypedErrorsForCallerData() throws {
    let labels: Dataset.Targets = .classes([0, 1], classCount: 2)
    #expect(throws: DatasetError.storageMismatch(what: "features", expected: 4, got: 3)) {
        try Dataset(count: 2, featureCount: 2, features: .floats([1, 2, 3]), targets: labels)
    }
    #expect(throws: DatasetError.storageMismatch(what: "features", expected: 4, got: 5)) {
        try Dataset(count: 2, featureCount: 2, features: .bytes([1, 2, 3, 4, 5], scale: 1), targets: labels)
    }
    #expect(throws: DatasetError.labelOutOfRange(index: 1, label: 2, classCount: 2)) {
        try Dataset(count: 2, featureCount: 1, features: .floats([1, 2]), targets: .classes([0, 2], classCount: 2))
    }
    #expect(throws: DatasetError.labelOutOfRange(index: 0, label: -1, classCount: 2)) {
        try Dataset(count: 2, featureCount: 1, features: .floats([1, 2]), targets: .classes([-1, 0], classCount: 2))
    }
    #expect(throws: DatasetError.storageMismatch(what: "labels", expected: 2, got: 1)) {
        try Dataset(count: 2, featureCount: 1, features: .floats([1, 2]), targets: .classes([0], classCount: 2))
    }
    #expect(throws: DatasetError.invalidClassCount(0)) {
        try Dataset(count: 0, featureCount: 1, features: .floats([]), targets: .classes([], classCount: 0))
    }
    #expect(throws: DatasetError.storageMismatch(what: "target values", expected: 6, got: 4)) {
        try Dataset(count: 2, featureCount: 1, features: .floats([1, 2]), targets: .values([1, 2, 3, 4], width: 3))
    }
    #expect(throws: DatasetError.negativeShape(count: -1, featureCount: 2)) {
        try Dataset(count: -1, featureCount: 2, features: .floats([]), targets: .values([], width: 1))
    }
    #expect(throws: DatasetError.sizeOverflow(count: 1 << 62, width: 4)) {
        try Dataset(count: 1 << 62, featureCount: 4, features: .floats([]), targets: .values([], width: 1))
    }
    #expect(DatasetError.labelOutOfRange(index: 1, label: 2, classCount: 2).description == "data set: label 1 is 2; expected 0..<2")
    let good = try Dataset(count: 2, featureCount: 1, features: .floats([1, 2]), targets: labels)
    #expect(good.count == 2 && good.labels == [0, 1])
}
