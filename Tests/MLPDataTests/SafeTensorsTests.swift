import Foundation
import Testing

@testable import MLPData

/// A safetensors file from a header text (unpadded) and a data buffer.
private func safetensorsFile(_ header: String, data: [UInt8] = []) -> [UInt8] {
    let json = Array(header.utf8)
    return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + data
}

private func parse(_ bytes: [UInt8], _ name: String = "model.safetensors") throws(SafeTensorsError) -> SafeTensors {
    try SafeTensors(bytes: bytes, fileName: name)
}

/// What make_safetensors.py stored in expected.json.
private struct ExpectedFile: Decodable {
    struct Tensor: Decodable { var shape: [Int]; var bits: [UInt32] }
    var metadata: [String: String]
    var tensors: [String: Tensor]
}

@Suite("Formats: safetensors")
struct FormatsSafeTensorsTests {
    // MARK: - Files made by the reference implementation

    @Test("reads the Python-made files bit for bit", arguments: [
        "mlp_f32.safetensors", "mlp_f16.safetensors", "mlp_bf16.safetensors", "mlp_f64.safetensors", "edge_f32.safetensors",
    ])
    func readsReferenceFiles(name: String) throws {
        let json = try Data(contentsOf: URL(fileURLWithPath: formatsFixturePath("expected.json")))
        let expected = try #require(try JSONDecoder().decode([String: ExpectedFile].self, from: json)[name])
        let file = try SafeTensors(contentsOfFile: formatsFixturePath(name))
        #expect(file.metadata == expected.metadata)
        #expect(file.names == expected.tensors.keys.sorted())
        for (tensorName, tensor) in expected.tensors {
            let read = try #require(file[tensorName])
            #expect(read.shape == tensor.shape, "\(name) \(tensorName)")
            #expect(read.values.map(\.bitPattern) == tensor.bits, "\(name) \(tensorName)")
        }
    }

    @Test func mlpMetadataHoldsTheArchitecture() throws {
        let file = try SafeTensors(contentsOfFile: formatsFixturePath("mlp_f32.safetensors"))
        #expect(file.metadata["format"] == "pt")
        #expect(file.metadata["architecture"]?.contains("\"sizes\": [3, 4, 2]") == true)
        #expect(file["layers.0.weight"]?.shape == [4, 3])
        #expect(file["layers.2.bias"]?.shape == [2])
    }

    @Test func readsFromData() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: formatsFixturePath("mlp_f32.safetensors")))
        let fromData = try SafeTensors(bytes: data, fileName: "mlp_f32.safetensors")
        let fromArray = try SafeTensors(bytes: [UInt8](data), fileName: "mlp_f32.safetensors")
        #expect(fromData == fromArray)
    }

    @Test func halfConversionCoversEveryClass() {
        #expect(SafeTensors.floatFromHalf(0x3C00) == 1)
        #expect(SafeTensors.floatFromHalf(0xC000) == -2)
        #expect(SafeTensors.floatFromHalf(0x0001) == 0x1p-24)
        #expect(SafeTensors.floatFromHalf(0x7BFF) == 65504)
        #expect(SafeTensors.floatFromHalf(0x7C00) == .infinity)
        #expect(SafeTensors.floatFromHalf(0x8000).bitPattern == (-0.0 as Float).bitPattern)
        #expect(SafeTensors.floatFromHalf(0x7E00).isNaN)
        // Every finite half converts exactly: back through Double arithmetic it is the same value.
        for bits in UInt16(0)...UInt16(0xFFFF) where bits & 0x7C00 != 0x7C00 {
            let exponent = Int(bits >> 10 & 0x1F), fraction = Double(bits & 0x3FF)
            let magnitude = exponent == 0 ? fraction * 0x1p-24 : (1 + fraction / 1024) * pow(2, Double(exponent - 15))
            let value = bits & 0x8000 != 0 ? -magnitude : magnitude
            #expect(Double(SafeTensors.floatFromHalf(bits)) == value)
        }
    }

    // MARK: - Writing

    @Test func roundTripsValuesShapesAndMetadata() throws {
        let original = SafeTensors(
            tensors: [
                "layers.0.weight": .init(shape: [2, 3], values: [1, -2, 3.5, .infinity, -0.0, .leastNonzeroMagnitude]),
                "layers.0.bias": .init(shape: [2], values: [0.25, -0.125]),
                "scalar": .init(shape: [], values: [42]),
                "empty": .init(shape: [0, 5], values: []),
                "ünïcode \"quoted\"\n": .init(shape: [1], values: [7]),
            ],
            metadata: ["architecture": "{\"sizes\": [3, 2]}", "tab\there": "line\nbreak \\ \u{01} é"]
        )
        let bytes = original.serialized()
        let headerLength = Int(bytes[0..<8].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        #expect(headerLength % 8 == 0)
        #expect(try parse(bytes) == original)
    }

    @Test func headerHasSortedKeysAndSpacePadding() throws {
        let file = SafeTensors(
            tensors: ["b": .init(shape: [1], values: [2]), "a": .init(shape: [2], values: [0, 1])],
            metadata: ["k": "v"]
        )
        let bytes = file.serialized()
        let header = String(decoding: bytes[8...].prefix(while: { $0 != 0 && $0 >= 0x20 }), as: UTF8.self)
        let json = #"{"__metadata__":{"k":"v"},"a":{"data_offsets":[0,8],"dtype":"F32","shape":[2]},"b":{"data_offsets":[8,12],"dtype":"F32","shape":[1]}}"#
        let padded = json + String(repeating: " ", count: (8 - json.utf8.count % 8) % 8)
        #expect(header.hasPrefix(padded))
        #expect(bytes.count == 8 + padded.utf8.count + 12)
        // Data: a's values, then b's, little-endian F32.
        let data = Array(bytes[(8 + padded.utf8.count)...])
        #expect(data == [0, 0, 0, 0, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40])
        // No metadata: no __metadata__ key.
        let plain = String(decoding: SafeTensors(tensors: ["a": .init(shape: [1], values: [1])]).serialized()[8...], as: UTF8.self)
        #expect(!plain.contains("__metadata__"))
    }

    @Test func savesAtomicallyAndLoads() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/model.safetensors"
            let first = SafeTensors(tensors: ["w": .init(shape: [1], values: [1])])
            let second = SafeTensors(tensors: ["w": .init(shape: [2], values: [2, 3])], metadata: ["epoch": "2"])
            try first.save(toFile: path)
            try second.save(toFile: path)
            #expect(try SafeTensors(contentsOfFile: path) == second)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["model.safetensors"])
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o644)

            // A save that cannot complete leaves what is there alone and no temporary file behind.
            try FileManager.default.createDirectory(atPath: folder + "/taken", withIntermediateDirectories: false)
            #expect(throws: FileError.self) { try second.save(toFile: folder + "/taken") }
            #expect(throws: FileError.self) { try second.save(toFile: folder + "/missing/model.safetensors") }
            var isFolder: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: folder + "/taken", isDirectory: &isFolder) && isFolder.boolValue)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["model.safetensors", "taken"])
        }
    }

    @Test func missingFileIsAFileError() {
        #expect(throws: FileError.notFound(path: "/nonexistent/model.safetensors")) {
            try SafeTensors(contentsOfFile: "/nonexistent/model.safetensors")
        }
        #expect(throws: FileError.notAFile(path: "/tmp", kind: .folder)) { try SafeTensors(contentsOfFile: "/tmp") }
    }

    // MARK: - Corrupt input, one typed error per case

    @Test func tooShortAndBadHeaderLengths() {
        #expect(throws: SafeTensorsError.tooShort(file: "model.safetensors", byteCount: 5)) { try parse([1, 2, 3, 4, 5]) }
        var huge = withUnsafeBytes(of: (UInt64(1) << 40).littleEndian, Array.init)
        huge += Array("{}".utf8)
        #expect(throws: SafeTensorsError.headerTooLarge(file: "model.safetensors", headerLength: 1 << 40)) { try parse(huge) }
        var beyond = withUnsafeBytes(of: UInt64(100).littleEndian, Array.init)
        beyond += Array("{}        ".utf8)
        #expect(throws: SafeTensorsError.headerLengthBeyondFile(file: "model.safetensors", headerLength: 100, available: 10)) {
            try parse(beyond)
        }
        let error = caughtError(SafeTensorsError.self) { _ = try parse(beyond) }
        #expect(error?.description == "model.safetensors: header length 100 (bytes 0..<8) exceeds the 10 bytes that follow it")
    }

    @Test func everyTruncationOfARealFileIsAnError() throws {
        let bytes = try BinaryFile.read(atPath: formatsFixturePath("mlp_f32.safetensors"))
        for length in 0..<bytes.count {
            #expect(throws: SafeTensorsError.self) { try parse(Array(bytes[..<length])) }
        }
        // One byte more is data that no tensor owns.
        #expect(throws: SafeTensorsError.self) { try parse(bytes + [0]) }
    }

    @Test func malformedHeaders() {
        #expect(throws: SafeTensorsError.headerNotUTF8(file: "m", offset: 10)) { try parse(safetensorsFile("{\"\u{7F}\u{7F}", data: []) .enumerated().map { $0.offset == 10 ? 0xFF : $0.element }, "m") }
        #expect(throws: SafeTensorsError.malformedJSON(file: "m", offset: 13, expected: "a JSON value")) { try parse(safetensorsFile(#"{"a":"#), "m") }
        #expect(throws: SafeTensorsError.malformedJSON(file: "m", offset: 13, expected: "':' after an object key")) { try parse(safetensorsFile(#"{"a" 1}"#), "m") }
        #expect(throws: SafeTensorsError.malformedJSON(file: "m", offset: 10, expected: "the end of the JSON text")) { try parse(safetensorsFile("{}x"), "m") }
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: SafeTensorsError.self) { try parse(safetensorsFile(#"{"a":"# + deep + "}")) }
        #expect(throws: SafeTensorsError.unexpectedValue(file: "m", location: "header", expected: "a JSON object", found: "an array")) {
            try parse(safetensorsFile("[1]"), "m")
        }
        let error = caughtError(SafeTensorsError.self) { _ = try parse(safetensorsFile(#"{"a" 1}"#), "m") }
        #expect(error?.description == "m: header JSON at byte 13: expected ':' after an object key")
    }

    @Test func badTensorEntries() throws {
        let f = "model.safetensors"
        func entry(_ fields: String, data: Int = 4) -> [UInt8] {
            safetensorsFile(#"{"w":{"# + fields + "}}", data: Array(repeating: 0, count: data))
        }
        #expect(throws: SafeTensorsError.missingKey(file: f, tensor: "w", key: "dtype")) {
            try parse(entry(#""shape":[1],"data_offsets":[0,4]"#))
        }
        #expect(throws: SafeTensorsError.missingKey(file: f, tensor: "w", key: "data_offsets")) {
            try parse(entry(#""dtype":"F32","shape":[1]"#))
        }
        #expect(throws: SafeTensorsError.unsupportedDType(file: f, tensor: "w", dtype: "U8")) {
            try parse(entry(#""dtype":"U8","shape":[1],"data_offsets":[0,4]"#))
        }
        #expect(throws: SafeTensorsError.unsupportedDType(file: f, tensor: "w", dtype: "F33")) {
            try parse(entry(#""dtype":"F33","shape":[1],"data_offsets":[0,4]"#))
        }
        #expect(throws: SafeTensorsError.unexpectedValue(file: f, location: "tensor 'w' shape", expected: "an array of non-negative integers", found: "the number -1")) {
            try parse(entry(#""dtype":"F32","shape":[-1],"data_offsets":[0,4]"#))
        }
        #expect(throws: SafeTensorsError.unexpectedValue(file: f, location: "tensor 'w' shape", expected: "an array of non-negative integers", found: "the number 1.5")) {
            try parse(entry(#""dtype":"F32","shape":[1.5],"data_offsets":[0,4]"#))
        }
        #expect(throws: SafeTensorsError.unexpectedValue(file: f, location: "tensor 'w' shape", expected: "an array of non-negative integers", found: "a string")) {
            try parse(entry(#""dtype":"F32","shape":"1","data_offsets":[0,4]"#))
        }
        #expect(throws: SafeTensorsError.unexpectedValue(file: f, location: "tensor 'w' data_offsets", expected: "[begin, end], two non-negative integers", found: "more than 2 values")) {
            try parse(entry(#""dtype":"F32","shape":[1],"data_offsets":[0,4,8]"#))
        }
        #expect(throws: SafeTensorsError.unexpectedValue(file: f, location: "tensor 'w' data_offsets", expected: "[begin, end], two non-negative integers", found: "1 of them")) {
            try parse(entry(#""dtype":"F32","shape":[1],"data_offsets":[4]"#))
        }
        #expect(throws: SafeTensorsError.unexpectedValue(file: f, location: "tensor 'w' data_offsets", expected: "[begin, end], two non-negative integers", found: "the number 99999999999999999999999")) {
            try parse(entry(#""dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999999]"#))
        }
        #expect(throws: SafeTensorsError.malformedJSON(file: f, offset: 8 + 30, expected: "',', ']' or '}' after a value")) {
            try parse(entry(#""dtype":"F32","shape":[01],"data_offsets":[0,4]"#))
        }
        #expect(throws: SafeTensorsError.unexpectedValue(file: f, location: "tensor 'w' dtype", expected: "a string", found: "the number 32")) {
            try parse(entry(#""dtype":32,"shape":[1],"data_offsets":[0,4]"#))
        }
        // Unknown keys are skipped whatever they hold, but their syntax and depth are checked.
        #expect(try parse(entry(#""dtype":"F32","shape":[1],"data_offsets":[0,4],"note":{"a":[1,{"b":null}],"c":"é"}"#))["w"]?.shape == [1])
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: SafeTensorsError.malformedJSON(file: f, offset: 8 + 60 + 62, expected: "at most 64 nested objects and arrays")) {
            try parse(entry(#""dtype":"F32","shape":[1],"data_offsets":[0,4],"note":"# + deep))
        }
        #expect(throws: SafeTensorsError.malformedJSON(file: f, offset: 8 + 51, expected: "',' or ']' in an array")) {
            try parse(entry(#""dtype":"F32","shape":[1],"data_offsets":[0,4}"#))
        }
        #expect(throws: SafeTensorsError.duplicateKey(file: f, location: "tensor 'w'", key: "dtype")) {
            try parse(entry(#""dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]"#))
        }
        #expect(throws: SafeTensorsError.duplicateKey(file: f, location: "header", key: "w")) {
            try parse(safetensorsFile(#"{"w":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"w":{}}"#, data: [0, 0, 0, 0]))
        }
        #expect(throws: SafeTensorsError.unexpectedValue(file: f, location: "tensor 'w'", expected: "an object with dtype, shape and data_offsets", found: "null")) {
            try parse(safetensorsFile(#"{"w":null}"#))
        }
    }

    @Test func metadataMustBeStrings() throws {
        let f = "model.safetensors"
        #expect(throws: SafeTensorsError.unexpectedValue(file: f, location: "__metadata__ 'epochs'", expected: "a string", found: "the number 3")) {
            try parse(safetensorsFile(#"{"__metadata__":{"epochs":3}}"#))
        }
        #expect(throws: SafeTensorsError.unexpectedValue(file: f, location: "__metadata__", expected: "an object of strings", found: "a string")) {
            try parse(safetensorsFile(#"{"__metadata__":"x"}"#))
        }
        #expect(throws: SafeTensorsError.duplicateKey(file: f, location: "__metadata__", key: "a")) {
            try parse(safetensorsFile(#"{"__metadata__":{"a":"1","a":"2"}}"#))
        }
        #expect(try parse(safetensorsFile(#"{"__metadata__":{}}"#)) == SafeTensors())
    }

    @Test func offsetsAndSizes() {
        let f = "model.safetensors"
        let data = [UInt8](repeating: 0, count: 48)
        #expect(throws: SafeTensorsError.offsetsOutOfRange(file: f, tensor: "w", begin: 0, end: 52, dataLength: 48)) {
            try parse(safetensorsFile(#"{"w":{"dtype":"F32","shape":[13],"data_offsets":[0,52]}}"#, data: data))
        }
        #expect(throws: SafeTensorsError.offsetsOutOfRange(file: f, tensor: "w", begin: 8, end: 4, dataLength: 48)) {
            try parse(safetensorsFile(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, data: data))
        }
        #expect(throws: SafeTensorsError.byteCountMismatch(file: f, tensor: "layers.0.weight", shape: [3, 4], dtype: "F32", expected: 48, actual: 40)) {
            try parse(safetensorsFile(#"{"layers.0.weight":{"dtype":"F32","shape":[3,4],"data_offsets":[0,40]}}"#, data: data))
        }
        let error = caughtError(SafeTensorsError.self) {
            _ = try parse(safetensorsFile(#"{"layers.0.weight":{"dtype":"F32","shape":[3,4],"data_offsets":[0,40]}}"#, data: data))
        }
        #expect(error?.description == "model.safetensors: tensor 'layers.0.weight': shape [3, 4] x F32 needs 48 bytes, data_offsets give 40")
        // 2^40 elements: an error from arithmetic, never an allocation.
        #expect(throws: SafeTensorsError.byteCountMismatch(file: f, tensor: "w", shape: [1 << 20, 1 << 20], dtype: "F16", expected: 1 << 41, actual: 48)) {
            try parse(safetensorsFile(#"{"w":{"dtype":"F16","shape":[1048576,1048576],"data_offsets":[0,48]}}"#, data: data))
        }
        #expect(throws: SafeTensorsError.shapeOverflow(file: f, tensor: "w", shape: [1 << 32, 1 << 32, 1 << 32], dtype: "F64")) {
            try parse(safetensorsFile(#"{"w":{"dtype":"F64","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,48]}}"#, data: data))
        }
    }

    @Test func tensorsMustTileTheDataBuffer() {
        let f = "model.safetensors"
        let data = [UInt8](repeating: 0, count: 16)
        #expect(throws: SafeTensorsError.overlappingTensors(file: f, tensor: "b", range: 4..<12, other: "a", otherRange: 0..<8)) {
            try parse(safetensorsFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"c":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#, data: data))
        }
        #expect(throws: SafeTensorsError.overlappingTensors(file: f, tensor: "b", range: 0..<8, other: "a", otherRange: 0..<8)) {
            try parse(safetensorsFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: Array(data[..<8])))
        }
        #expect(throws: SafeTensorsError.uncoveredBytes(file: f, range: 0..<4, dataLength: 16)) {
            try parse(safetensorsFile(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[4,16]}}"#, data: data))
        }
        #expect(throws: SafeTensorsError.uncoveredBytes(file: f, range: 8..<12, dataLength: 16)) {
            try parse(safetensorsFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#, data: data))
        }
        #expect(throws: SafeTensorsError.uncoveredBytes(file: f, range: 8..<16, dataLength: 16)) {
            try parse(safetensorsFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: data))
        }
        // Zero-length tensors may sit anywhere a boundary is.
        let ok = try? parse(safetensorsFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, data: data))
        #expect(ok?.names == ["a", "b", "e"])
    }

    @Test func flippedBytesNeverCrash() throws {
        let bytes = try BinaryFile.read(atPath: formatsFixturePath("mlp_f16.safetensors"))
        var generator = SystemRandomNumberGenerator()
        for position in 0..<min(bytes.count, 400) {
            var copy = bytes
            copy[position] ^= UInt8.random(in: 1...255, using: &generator)
            _ = try? parse(copy)
        }
    }
}
