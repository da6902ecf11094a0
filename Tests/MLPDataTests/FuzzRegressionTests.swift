import Foundation
import MLPData
import Testing

/// Committed fuzzer inputs, replayed through the reader that `Fuzz/run.sh` fuzzed them with:
/// `Fixtures/fuzz-regressions/<reader>/`, one folder per harness (safetensors, idx, csv).
///
/// A case passes when the reader returns or throws its own error type; a crash or trap fails
/// the whole run, which is the point. What a reader accepts must also satisfy the format's
/// invariants (the same ones the harnesses check).
enum FuzzRegressions {
    /// The regression inputs for `reader`, by file name (README and hidden files excluded).
    static func files(_ reader: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder(reader))) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
    }

    static func folder(_ reader: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/fuzz-regressions/\(reader)").path
    }

    static func bytes(_ reader: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: folder(reader) + "/" + name)))
    }

    /// The target choices the CSV harness parses every input with: class labels and
    /// regression, by position and by name.
    static let csvTargets: [CSVTargets] = [
        .classLabel(),
        .classLabel(column: "label", classCount: 10),
        .lastColumns(1),
        .columns([.name("y"), .index(0)]),
    ]
}

@Suite("Formats: fuzz regressions")
struct FuzzRegressionTests {
    @Test func everyReaderHasCases() {
        for reader in ["safetensors", "idx", "csv"] {
            #expect(!FuzzRegressions.files(reader).isEmpty, "no committed inputs in Fixtures/fuzz-regressions/\(reader)")
        }
    }

    /// Found by the CSV harness (`fuzz-regressions/csv/crash-f990f8f8...`): the reader
    /// reserved rows x first-line-width Floats before checking any row, so a wide first line
    /// over many blank lines reserved quadratically in the file's size. The committed 4 kB
    /// cases only over-reserve megabytes, caught by the harness's allocation budget; at this
    /// size (512 kB) the reservation would be 2^35 Floats, 128 GiB, and the failed allocation
    /// traps. Now the reservations are capped by the cells the bytes can hold.
    @Test func csvWideFirstLineOverBlankLines() {
        let width = 1 << 17
        var bytes: [UInt8] = []
        bytes.reserveCapacity(6 * width)
        for _ in 1..<width { bytes += [UInt8(ascii: "a"), UInt8(ascii: ",")] }
        bytes.append(UInt8(ascii: "a"))
        bytes += [UInt8](repeating: 0x0A, count: 2 * width)
        bytes.append(UInt8(ascii: "1"))
        #expect(throws: CSVError.blankLine(file: "wide.csv", line: 2)) {
            try CSVDataset.parse(bytes, fileName: "wide.csv", targets: .classLabel())
        }
    }

    @Test(arguments: FuzzRegressions.files("safetensors"))
    func safetensors(_ name: String) throws {
        let bytes = try FuzzRegressions.bytes("safetensors", name)
        let file: SafeTensors
        do {
            file = try SafeTensors(bytes: bytes, fileName: name)
        } catch {
            #expect(!error.description.isEmpty)
            return
        }
        var elements = 0
        for (tensorName, tensor) in file.tensors {
            #expect(tensorName != SafeTensors.metadataKey)
            #expect(tensor.shape.allSatisfy { $0 >= 0 })
            #expect(tensor.shape.reduce(1, *) == tensor.values.count, "tensor '\(tensorName)' shape \(tensor.shape)")
            elements += tensor.values.count
        }
        #expect(2 * elements <= bytes.count, "more elements than the file can hold")
    }

    @Test(arguments: FuzzRegressions.files("idx"))
    func idx(_ name: String) throws {
        let bytes = try FuzzRegressions.bytes("idx", name)
        let isGzip = bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
        let array: IDXArray
        do {
            array = try IDXArray(parsing: bytes, fileName: name)
        } catch {
            #expect(!error.description.isEmpty)
            return
        }
        #expect(!array.dimensions.isEmpty && array.dimensions.allSatisfy { $0 > 0 })
        #expect(array.dimensions.reduce(1, *) == array.bytes.count)
        if isGzip {
            #expect(array.bytes.count <= IDXArray.maximumInflationRatio * bytes.count)
            #expect(try IDXArray(parsing: array.serialized(), fileName: name) == array)
        } else {
            #expect(array.serialized() == bytes)
        }
    }

    @Test(arguments: FuzzRegressions.files("csv"))
    func csv(_ name: String) throws {
        let bytes = try FuzzRegressions.bytes("csv", name)
        for targets in FuzzRegressions.csvTargets {
            let set: Dataset
            do {
                set = try CSVDataset.parse(bytes, fileName: name, targets: targets)
            } catch {
                #expect(!error.description.isEmpty)
                continue
            }
            #expect(set.count > 0 && set.featureCount > 0)
            #expect(set.count * (set.featureCount + 1) <= bytes.count, "more cells than the file holds")
            guard case .floats(let features) = set.features else {
                Issue.record("CSV features are not floats")
                continue
            }
            #expect(features.count == set.count * set.featureCount && features.allSatisfy(\.isFinite))
            switch set.targets {
            case .classes(let labels, let classCount):
                #expect(labels.count == set.count && labels.allSatisfy { $0 >= 0 && Int($0) < classCount })
            case .values(let values, let width):
                #expect(values.count == set.count * width && values.allSatisfy(\.isFinite))
            }
        }
    }
}
