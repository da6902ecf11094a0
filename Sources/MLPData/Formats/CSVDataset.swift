/// A column of a CSV file: by 0-based position or by its header name.
public enum CSVColumn: Sendable, Equatable, Hashable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The column at this 0-based position (messages count columns from 1).
    case index(Int)
    /// The column with this header name (the file needs a header line).
    case name(String)

    public init(integerLiteral value: Int) { self = .index(value) }
    public init(stringLiteral value: String) { self = .name(value) }

    public var description: String {
        switch self {
        case .index(let index): "\(index + 1) (index \(index))"
        case .name(let name): "'\(name)'"
        }
    }
}

/// Which CSV columns are targets; every other column is a feature, in file order.
public enum CSVTargets: Sendable, Equatable {
    /// Integer class labels `0..<classCount` in one column (the first by default).
    /// `classCount` defaults to the largest label plus 1.
    case classLabel(column: CSVColumn = .index(0), classCount: Int? = nil)
    /// Real-valued targets in the last `count` columns (regression).
    case lastColumns(Int)
    /// Real-valued targets in these columns, in this order (regression).
    case columns([CSVColumn])
    /// No targets: every column is a feature (inputs for prediction). The data set's targets
    /// are zero-width values.
    case none
}

/// Numeric CSV files as data sets.
///
/// The dialect: UTF-8 (an initial byte-order mark is skipped), one record per line (`\n`,
/// `\r\n` or a lone `\r`), cells separated by commas, spaces and tabs around a cell ignored. Every cell is a
/// number as Swift's `Float(_:)` reads it (`3`, `-0.5`, `1e-3`). There is no quoting: a comma
/// always separates cells, so text cells with commas are not supported (this reader is for
/// numbers). The first line is a header when any of its cells is non-empty and not a number
/// (`nan` and `inf` count as numbers here, so a header of only such names is taken as data);
/// otherwise it is data. Every row has the first line's cell count. Blank lines at the end are
/// ignored; elsewhere they are an error.
///
/// Features are stored as `.floats`. Features and regression targets must be finite; a label
/// must be a whole number (`3` or `3.0`) from 0 up.
public enum CSVDataset {
    /// Reads a data set from CSV bytes; `fileName` is used only in error messages.
    ///
    /// - Throws: `CSVError`, naming the line and column of the first bad cell.
    public static func parse(_ bytes: [UInt8], fileName: String, targets: CSVTargets) throws(CSVError) -> Dataset {
        try bytes.withUnsafeBufferPointer { buffer throws(CSVError) -> Dataset in
            try Parser(buffer: buffer, file: fileName).dataset(targets: targets)
        }
    }

    /// Reads the CSV file at `path` (named by its path in error messages).
    ///
    /// - Throws: `FileError` when the file cannot be read, `CSVError` when it is not valid.
    public static func load(_ path: String, targets: CSVTargets) throws -> Dataset {
        try parse(BinaryFile.read(atPath: path), fileName: path, targets: targets)
    }
}

private struct Parser {
    let buffer: UnsafeBufferPointer<UInt8>
    let file: String

    /// Bytes `start..<end` of one line, without its line break, and its 1-based number.
    struct Line {
        var number: Int
        var range: Range<Int>
    }

    func dataset(targets: CSVTargets) throws(CSVError) -> Dataset {
        var start = 0
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
        var end = buffer.count
        while end > start, isSpace(buffer[end - 1]) || buffer[end - 1] == 0x0A || buffer[end - 1] == 0x0D { end -= 1 }
        guard end > start else { throw .empty(file: file) }

        var lines = LineIterator(buffer: buffer, position: start, end: end)
        let first = lines.next()!
        let firstCells = cells(first)
        let hasHeader = firstCells.contains { !$0.isEmpty && number(text($0)) == nil }
        let names = hasHeader ? firstCells.map(text) : nil
        let width = firstCells.count

        let (labelColumn, classCount, targetColumns) = try resolve(targets, names: names, width: width)
        let isTarget = (0..<width).map { $0 == labelColumn || targetColumns.contains($0) }
        let featureCount = width - isTarget.filter { $0 }.count
        guard featureCount > 0 else {
            throw .invalidTargetColumns(file: file, reason: "all \(width) columns are targets; expected at least one feature column")
        }

        // Reservations are capped by the cells the bytes can hold (each takes a byte and a
        // separator): rows are checked against the first line's width only as they are read,
        // so a wide first line over many short lines must not reserve rows x width.
        let cellLimit = (end - start + 1) / 2
        func reservation(_ rows: Int, _ width: Int) -> Int {
            let (product, overflow) = rows.multipliedReportingOverflow(by: width)
            return overflow ? cellLimit : min(product, cellLimit)
        }
        let rowEstimate = buffer[start..<end].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        var features: [Float] = []
        features.reserveCapacity(reservation(rowEstimate, featureCount))
        var labels: [Int32] = []
        var values: [Float] = []
        if labelColumn != nil {
            labels.reserveCapacity(reservation(rowEstimate, 1))
        } else {
            values.reserveCapacity(reservation(rowEstimate, targetColumns.count))
        }
        var rowTargets = [Float](repeating: 0, count: targetColumns.count)

        var pending: Line? = hasHeader ? nil : first
        var count = 0
        while let line = pending ?? lines.next() {
            pending = nil
            let row = cells(line)
            if row.count == 1, row[0].isEmpty { throw .blankLine(file: file, line: line.number) }
            guard row.count == width else { throw .raggedRow(file: file, line: line.number, expected: width, found: row.count) }
            for (column, cell) in row.enumerated() {
                let content = text(cell)
                if column == labelColumn {
                    guard let value = number(content) else {
                        throw .notNumeric(file: file, line: line.number, column: column + 1, text: content)
                    }
                    labels.append(try label(value, content, line: line.number, column: column, classCount: classCount))
                    continue
                }
                // Parsed as Float directly: through Double, a decimal could round twice.
                guard !content.isEmpty, let value = Float(content) else {
                    throw .notNumeric(file: file, line: line.number, column: column + 1, text: content)
                }
                guard value.isFinite else { throw .nonFinite(file: file, line: line.number, column: column + 1, text: content) }
                if isTarget[column] {
                    rowTargets[targetColumns.firstIndex(of: column)!] = value
                } else {
                    features.append(value)
                }
            }
            values.append(contentsOf: rowTargets)
            count += 1
        }
        guard count > 0 else { throw .noDataRows(file: file) }

        let datasetTargets: Dataset.Targets
        if labelColumn != nil {
            let classes = classCount ?? Int(labels.max()!) + 1
            datasetTargets = .classes(labels, classCount: classes)
        } else {
            datasetTargets = .values(values, width: targetColumns.count)
        }
        return Dataset(checked: count, featureCount: featureCount, features: .floats(features), targets: datasetTargets)
    }

    /// The label column (classification) or the target columns (regression), as indices.
    private func resolve(_ targets: CSVTargets, names: [String]?, width: Int) throws(CSVError) -> (label: Int?, classCount: Int?, targets: [Int]) {
        switch targets {
        case .classLabel(let column, let classCount):
            if let classCount, classCount < 1 {
                throw .invalidTargetColumns(file: file, reason: "class count \(classCount); expected 1 or more")
            }
            return (try index(of: column, names: names, width: width), classCount, [])
        case .lastColumns(let count):
            guard count >= 1, count < width else {
                throw .invalidTargetColumns(file: file, reason: "\(count) target columns of \(width); expected 1...\(width - 1), leaving a feature column")
            }
            return (nil, nil, Array((width - count)..<width))
        case .columns(let columns):
            guard !columns.isEmpty else { throw .invalidTargetColumns(file: file, reason: "no target columns given") }
            var indices: [Int] = []
            for column in columns {
                let index = try index(of: column, names: names, width: width)
                guard !indices.contains(index) else {
                    throw .invalidTargetColumns(file: file, reason: "target column \(index + 1) is given twice")
                }
                indices.append(index)
            }
            return (nil, nil, indices)
        case .none:
            return (nil, nil, [])
        }
    }

    private func index(of column: CSVColumn, names: [String]?, width: Int) throws(CSVError) -> Int {
        switch column {
        case .index(let index):
            guard index >= 0, index < width else {
                throw .columnNotFound(file: file, column: column.description, reason: "the file has \(width) columns")
            }
            return index
        case .name(let name):
            guard let names else {
                throw .columnNotFound(file: file, column: column.description, reason: "the file has no header line")
            }
            guard let index = names.firstIndex(of: name) else {
                throw .columnNotFound(file: file, column: column.description, reason: "the header has \(names.map { "'\($0)'" }.joined(separator: ", "))")
            }
            return index
        }
    }

    private func label(_ value: Double, _ content: String, line: Int, column: Int, classCount: Int?) throws(CSVError) -> Int32 {
        guard value.isFinite, value.rounded() == value, value < Double(Int32.max) else {
            throw .labelNotInteger(file: file, line: line, column: column + 1, text: content)
        }
        guard value >= 0 else {
            if value == 0 { return 0 }  // "-0"
            throw .negativeLabel(file: file, line: line, column: column + 1, text: content)
        }
        let label = Int32(value)
        if let classCount, Int(label) >= classCount {
            throw .labelOutOfRange(file: file, line: line, column: column + 1, label: Int(label), classCount: classCount)
        }
        return label
    }

    /// The line's cells, each with surrounding spaces and tabs trimmed.
    private func cells(_ line: Line) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var cellStart = line.range.lowerBound
        for position in line.range where buffer[position] == UInt8(ascii: ",") {
            result.append(trimmed(cellStart..<position))
            cellStart = position + 1
        }
        result.append(trimmed(cellStart..<line.range.upperBound))
        return result
    }

    private func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, isSpace(buffer[lower]) { lower += 1 }
        while upper > lower, isSpace(buffer[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
    }

    private func number(_ text: String) -> Double? {
        text.isEmpty ? nil : Double(text)
    }
}

/// Lines of `buffer[position..<end]`, ended by `\n`, `\r\n` or a lone `\r` (classic Mac OS files).
private struct LineIterator: IteratorProtocol {
    let buffer: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int
    var number = 0

    mutating func next() -> Parser.Line? {
        guard position < end else { return nil }
        var stop = position
        while stop < end, buffer[stop] != 0x0A, buffer[stop] != 0x0D { stop += 1 }
        number += 1
        let line = Parser.Line(number: number, range: position..<stop)
        position = stop + (stop + 1 < end && buffer[stop] == 0x0D && buffer[stop + 1] == 0x0A ? 2 : 1)
        return line
    }
}
