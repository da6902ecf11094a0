import Foundation
import Testing

@testable import MLPData

private func header(_ dimensions: [UInt32], type: UInt8 = 0x08) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for size in dimensions { withUnsafeBytes(of: size.bigEndian) { bytes += $0 } }
    return bytes
}

private func parse(_ bytes: [UInt8], _ name: String = "images.idx") throws(IDXError) -> IDXArray {
    try IDXArray(parsing: bytes, fileName: name)
}

/// The pixel formula of make_idx.py.
private func pixels(items: Int, firstItem: Int = 0) -> [UInt8] {
    (0..<items).flatMap { i in (0..<3).flatMap { r in (0..<2).map { c in UInt8(((firstItem + i) * 37 + r * 11 + c * 5) % 256) } } }
}

@Suite("Formats: IDX")
struct FormatsIDXTests {
    @Test func parsesRawAndRoundTrips() throws {
        let array = try parse(header([2, 3]) + [1, 2, 3, 4, 5, 255])
        #expect(array.dimensions == [2, 3])
        #expect(array.bytes == [1, 2, 3, 4, 5, 255])
        #expect(try parse(array.serialized()) == array)
    }

    @Test func rawInputStorageIsReusedNotCopied() throws {
        let input = header([1000, 28, 28]) + [UInt8](repeating: 7, count: 28 * 28 * 1000)
        let address = input.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let array = try IDXArray(parsing: consume input, fileName: "images.idx")
        #expect(array.bytes.count == 784_000)
        #expect(array.bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } == address)
    }

    @Test func loadsAFolderOfRawAndGzipFiles() throws {
        let (training, test) = try IDXFolder.load(formatsFixturePath("idx-mini"))
        #expect(training.count == 6 && test.count == 2)
        #expect(training.featureCount == 6 && test.featureCount == 6)
        #expect(training.features == .bytes(pixels(items: 6), scale: 1 / 255))
        #expect(test.features == .bytes(pixels(items: 2, firstItem: 100), scale: 1 / 255))
        #expect(training.targets == .classes([0, 1, 2, 3, 0, 1], classCount: 4))
        #expect(test.targets == .classes([3, 1], classCount: 4))
        // A batch scales the bytes to [0, 1] and one-hot encodes the label.
        var inputs = [Float](repeating: 0, count: 6), targets = [Float](repeating: 0, count: 4)
        training.copyBatch([1], inputs: &inputs, targets: &targets)
        #expect(inputs == pixels(items: 2)[6...].map { Float($0) * IDXFolder.pixelScale })
        #expect(targets == [0, 1, 0, 0])

        let wider = try IDXFolder.load(formatsFixturePath("idx-mini") + "/", classCount: 10)
        #expect(wider.training.targetWidth == 10 && wider.test.targetWidth == 10)
        #expect(throws: IDXError.labelOutOfRange(file: formatsFixturePath("idx-mini") + "/train-labels-idx1-ubyte.gz", index: 3, label: 3, classCount: 3)) {
            try IDXFolder.load(formatsFixturePath("idx-mini"), classCount: 3)
        }
    }

    @Test func missingFolderFiles() throws {
        try withTemporaryFolder { folder in
            #expect(throws: IDXError.missingFile(folder: folder, name: "train-images-idx3-ubyte")) { try IDXFolder.load(folder) }
            let error = caughtError(IDXError.self) { _ = try IDXFolder.load(folder) }
            #expect(error?.description == "\(folder): neither train-images-idx3-ubyte nor train-images-idx3-ubyte.gz is there")
        }
    }

    @Test func pairsMustAgree() throws {
        let images = try parse(header([3, 2, 2]) + [UInt8](repeating: 9, count: 12))
        let labels = try parse(header([2]) + [0, 1])
        #expect(throws: IDXError.countMismatch(images: "i", imageCount: 3, labels: "l", labelCount: 2)) {
            try IDXFolder.dataset(images: images, imagesFile: "i", labels: labels, labelsFile: "l", classCount: 2)
        }
        #expect(throws: IDXError.wrongDimensionCount(file: "i", dimensions: [2], expected: "at least 2 (count, then each image's sizes)")) {
            try IDXFolder.dataset(images: labels, imagesFile: "i", labels: labels, labelsFile: "l", classCount: 2)
        }
        #expect(throws: IDXError.wrongDimensionCount(file: "l", dimensions: [3, 2, 2], expected: "1 (the label count)")) {
            try IDXFolder.dataset(images: images, imagesFile: "i", labels: images, labelsFile: "l", classCount: 2)
        }
        let error = caughtError(IDXError.self) {
            _ = try IDXFolder.dataset(images: images, imagesFile: "i", labels: try parse(header([3]) + [0, 7, 1]), labelsFile: "l", classCount: 5)
        }
        #expect(error?.description == "l: label 1 (byte 9) is 7; expected 0..<5")
    }

    @Test func corruptRawHeaders() {
        #expect(throws: IDXError.tooShort(file: "images.idx", byteCount: 3)) { try parse([0, 0, 8]) }
        #expect(throws: IDXError.badMagic(file: "images.idx", first: 0x50, second: 0x4B)) { try parse([0x50, 0x4B, 3, 4, 0]) }
        #expect(throws: IDXError.unsupportedType(file: "images.idx", code: 0x0D)) { try parse(header([1], type: 0x0D) + [0, 0, 0, 0]) }
        #expect(throws: IDXError.noDimensions(file: "images.idx")) { try parse([0, 0, 8, 0, 1]) }
        #expect(throws: IDXError.truncatedHeader(file: "images.idx", dimensionCount: 3, byteCount: 10)) { try parse(Array(header([1, 1, 1])[..<10])) }
        #expect(throws: IDXError.zeroDimension(file: "images.idx", index: 1)) { try parse(header([4, 0, 2])) }
        #expect(throws: IDXError.sizeOverflow(file: "images.idx", dimensions: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF])) {
            try parse(header([0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF]))
        }
        let unsupported = caughtError(IDXError.self) { _ = try parse(header([1], type: 0x0D) + [0, 0, 0, 0]) }
        #expect(unsupported?.description == "images.idx: byte 2: type code 0x0d (32-bit float) is not supported; expected 0x08 (unsigned byte)")
    }

    @Test func dataMustBeExactlyTheDeclaredLength() {
        #expect(throws: IDXError.dataLengthMismatch(file: "images.idx", dimensions: [60000, 28, 28], expected: 47_040_000, actual: 3)) {
            try parse(header([60000, 28, 28]) + [1, 2, 3])
        }
        #expect(throws: IDXError.dataLengthMismatch(file: "images.idx", dimensions: [2], expected: 2, actual: 3)) { try parse(header([2]) + [1, 2, 3]) }
        let error = caughtError(IDXError.self) { _ = try parse(header([60000, 28, 28]) + [1, 2, 3]) }
        #expect(error?.description == "images.idx: dimensions [60000, 28, 28] need 47040000 data bytes after the 16-byte header, found 3")
    }

    @Test func everyTruncationIsAnError() throws {
        let raw = header([5, 3]) + (0..<15).map(UInt8.init)
        for length in 0..<raw.count { #expect(throws: IDXError.self) { try parse(Array(raw[..<length])) } }
        let compressed = try BinaryFile.read(atPath: formatsFixturePath("idx-mini/t10k-images-idx3-ubyte.gz"))
        for length in 0..<compressed.count { #expect(throws: IDXError.self) { try parse(Array(compressed[..<length])) } }
    }

    @Test func corruptGzip() throws {
        func bad(_ name: String) throws -> IDXError? {
            let bytes = try BinaryFile.read(atPath: formatsFixturePath("idx-bad/\(name)"))
            return caughtError(IDXError.self) { _ = try parse(bytes, name) }
        }
        #expect(try bad("bomb.gz") == .implausibleSize(file: "bomb.gz", dimensions: [0xFFFF_FFFF], compressedBytes: 26))
        #expect(try bad("short.gz") == .dataLengthMismatch(file: "short.gz", dimensions: [10], expected: 10, actual: 5))
        #expect(try bad("long.gz") == .dataLengthMismatch(file: "long.gz", dimensions: [10], expected: 10, actual: 12))
        guard case .corruptGzip(_, let reason) = try bad("cut.gz") else { Issue.record("cut.gz"); return }
        #expect(reason.contains("ends early"))
        guard case .corruptGzip = try bad("garbage.gz") else { Issue.record("garbage.gz"); return }
    }

    @Test func flippedBytesNeverCrash() throws {
        for name in ["idx-mini/t10k-images-idx3-ubyte.gz", "idx-mini/train-labels-idx1-ubyte.gz", "idx-mini/train-images-idx3-ubyte"] {
            let bytes = try BinaryFile.read(atPath: formatsFixturePath(name))
            for position in bytes.indices {
                for mask: UInt8 in [0x01, 0x80, 0xFF] {
                    var copy = bytes
                    copy[position] ^= mask
                    _ = try? parse(copy)
                }
            }
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"), "Fashion-MNIST is not installed"))
    func loadsRealFashionMNIST() throws {
        let (training, test) = try IDXFolder.load("/usr/share/datasets/fashion-mnist")
        #expect(training.count == 60000 && test.count == 10000)
        #expect(training.featureCount == 28 * 28 && test.featureCount == 28 * 28)
        #expect(training.targetWidth == 10)
        let counts = training.labels!.reduce(into: [Int32: Int]()) { $0[$1, default: 0] += 1 }
        #expect(counts.count == 10 && counts.values.allSatisfy { $0 == 6000 })
    }
}
