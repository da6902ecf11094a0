import Foundation
import Testing

@testable import MLPData

private func parse(_ text: String, _ targets: CSVTargets = .classLabel(), file: String = "data.csv") throws(CSVError) -> Dataset {
    try CSVDataset.parse(Array(text.utf8), fileName: file, targets: targets)
}

private func message(_ text: String, _ targets: CSVTargets = .classLabel()) -> String? {
    caughtError(CSVError.self) { _ = try parse(text, targets) }?.description
}

@Suite("Formats: CSV")
struct FormatsCSVTests {
    @Test func classificationWithoutHeader() throws {
        let set = try parse("1,0.5,2\n0,-1,3e-1\n2, 4 ,\t5\n\n\n")
        #expect(set.count == 3 && set.featureCount == 2)
        #expect(set.features == .floats([0.5, 2, -1, 0.3, 4, 5]))
        #expect(set.targets == .classes([1, 0, 2], classCount: 3))
    }

    @Test func classificationWithHeaderAndNamedLabel() throws {
        let text = "\u{FEFF}x1,x2,species\r\n0.5,1,2\r\n1.5,2,0.0\r\n"
        let set = try parse(text, .classLabel(column: "species", classCount: 4))
        #expect(set.features == .floats([0.5, 1, 1.5, 2]))
        #expect(set.targets == .classes([2, 0], classCount: 4))
        #expect(try parse(text, .classLabel(column: 2)).targets == .classes([2, 0], classCount: 3))
    }

    @Test func regression() throws {
        let text = "a,b,y1,y2\n1,2,3,4\n5,6,7,8\n"
        let last = try parse(text, .lastColumns(2))
        #expect(last.features == .floats([1, 2, 5, 6]))
        #expect(last.targets == .values([3, 4, 7, 8], width: 2))
        let named = try parse(text, .columns(["y2", "a"]))
        #expect(named.features == .floats([2, 3, 6, 7]))
        #expect(named.targets == .values([4, 1, 8, 5], width: 2))
        // A header-less file: the first line is data.
        #expect(try parse("1,2\n3,4", .lastColumns(1)).targets == .values([2, 4], width: 1))
    }

    @Test func decimalsParseAsFloatDirectly() throws {
        // Just over 1 + half a Float ulp: through Double it becomes a tie and rounds down to 1.
        let text = "0,1.00000005960464477539062500001\n"
        #expect(try parse(text).features == .floats([Float("1.00000005960464477539062500001")!]))
    }

    @Test func emptyAndHeaderOnly() {
        #expect(throws: CSVError.empty(file: "data.csv")) { try parse("") }
        #expect(throws: CSVError.empty(file: "data.csv")) { try parse(" \n\r\n\n") }
        #expect(throws: CSVError.noDataRows(file: "data.csv")) { try parse("label,x\n\n") }
    }

    @Test func cellErrorsNameLineAndColumn() {
        #expect(throws: CSVError.notNumeric(file: "data.csv", line: 3, column: 2, text: "abc")) { try parse("1,2\n0,3\n1,abc\n") }
        #expect(message("1,2\n0,3\n1,abc\n") == "data.csv: line 3, column 2: expected a number, found 'abc'")
        #expect(throws: CSVError.notNumeric(file: "data.csv", line: 2, column: 2, text: "")) { try parse("1,2\n0,\n") }
        #expect(throws: CSVError.notNumeric(file: "data.csv", line: 2, column: 1, text: "x")) { try parse("1,2\nx,3\n") }
        #expect(throws: CSVError.raggedRow(file: "data.csv", line: 3, expected: 3, found: 2)) { try parse("1,2,3\n0,1,2\n1,2\n") }
        #expect(message("1,2,3\n0,1,2\n1,2\n") == "data.csv: line 3: expected 3 cells (as on the first line), found 2")
        #expect(throws: CSVError.blankLine(file: "data.csv", line: 2)) { try parse("1,2\n\n0,3\n") }
        #expect(throws: CSVError.nonFinite(file: "data.csv", line: 2, column: 3, text: "nan")) { try parse("1,2,3\n0,1,nan\n") }
        #expect(throws: CSVError.nonFinite(file: "data.csv", line: 1, column: 2, text: "inf")) { try parse("0,inf\n") }
        #expect(throws: CSVError.nonFinite(file: "data.csv", line: 1, column: 2, text: "1e39")) { try parse("0,1e39\n") }
        #expect(throws: CSVError.nonFinite(file: "data.csv", line: 2, column: 2, text: "NaN")) { try parse("1,1\n2,NaN\n", .lastColumns(1)) }
    }

    @Test func labelErrors() throws {
        #expect(throws: CSVError.labelNotInteger(file: "data.csv", line: 2, column: 1, text: "1.5")) { try parse("1,2\n1.5,3\n") }
        #expect(throws: CSVError.labelNotInteger(file: "data.csv", line: 1, column: 1, text: "nan")) { try parse("nan,2\n") }
        #expect(throws: CSVError.labelNotInteger(file: "data.csv", line: 1, column: 1, text: "1e20")) { try parse("1e20,2\n") }
        #expect(throws: CSVError.negativeLabel(file: "data.csv", line: 2, column: 1, text: "-1")) { try parse("1,2\n-1,3\n") }
        #expect(message("1,2\n-1,3\n") == "data.csv: line 2, column 1: class label -1 is negative; expected 0 or more")
        #expect(throws: CSVError.labelOutOfRange(file: "data.csv", line: 2, column: 1, label: 3, classCount: 3)) {
            try parse("1,2\n3,3\n", .classLabel(classCount: 3))
        }
        #expect(try parse("-0,1\n").targets == .classes([0], classCount: 1))
    }

    @Test func columnErrors() {
        #expect(throws: CSVError.columnNotFound(file: "data.csv", column: "'kind'", reason: "the header has 'a', 'b'")) {
            try parse("a,b\n1,2\n", .classLabel(column: "kind"))
        }
        #expect(throws: CSVError.columnNotFound(file: "data.csv", column: "'kind'", reason: "the file has no header line")) {
            try parse("1,2\n", .classLabel(column: "kind"))
        }
        #expect(throws: CSVError.columnNotFound(file: "data.csv", column: "3 (index 2)", reason: "the file has 2 columns")) {
            try parse("1,2\n", .classLabel(column: 2))
        }
        #expect(message("1,2\n", .classLabel(column: 2)) == "data.csv: column 3 (index 2) not found: the file has 2 columns")
        #expect(throws: CSVError.self) { try parse("1,2\n", .lastColumns(2)) }
        #expect(throws: CSVError.self) { try parse("1,2\n", .lastColumns(0)) }
        #expect(throws: CSVError.self) { try parse("1,2,3\n", .columns([0, 0])) }
        #expect(throws: CSVError.self) { try parse("1\n", .classLabel()) }
    }

    @Test func arbitraryBytesNeverCrash() {
        let sample = Array("label,a,b\r\n1,0.5,-2e3\n0,nan,3\n\n2,1,1,\n".utf8)
        let alphabet = Array(",\n\r 0123456789.-e\u{FF}abc".utf8)
        for position in sample.indices {
            for replacement in alphabet {
                var copy = sample
                copy[position] = replacement
                for targets: CSVTargets in [.classLabel(), .lastColumns(1), .columns(["a"]), .classLabel(column: 2, classCount: 2)] {
                    _ = try? CSVDataset.parse(copy, fileName: "fuzz.csv", targets: targets)
                }
            }
        }
    }

    @Test func loadsAFileAndReportsItsPath() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/iris.csv"
            try Data("sepal,petal,label\n5.1,1.4,0\n7.0,4.7,1\n".utf8).write(to: URL(fileURLWithPath: path))
            let set = try CSVDataset.load(path, targets: .classLabel(column: "label"))
            #expect(set.count == 2 && set.targetWidth == 2)
            try Data("a,b\n1,x\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: CSVError.notNumeric(file: path, line: 2, column: 2, text: "x")) { try CSVDataset.load(path, targets: .lastColumns(1)) }
            #expect(throws: FileError.notFound(path: folder + "/none.csv")) { try CSVDataset.load(folder + "/none.csv", targets: .lastColumns(1)) }
        }
    }
}
