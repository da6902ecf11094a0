/// A plain-text table with aligned columns, for the benchmark reports.
///
/// Text columns are left-aligned and numeric ones right-aligned; every column is as wide as
/// its widest cell.
struct Table {
    /// How a column lines up its cells.
    enum Alignment { case left, right }

    let headers: [String]
    let alignments: [Alignment]
    private(set) var rows: [[String]] = []

    init(_ columns: [(header: String, alignment: Alignment)]) {
        headers = columns.map(\.header)
        alignments = columns.map(\.alignment)
    }

    /// Appends a row; it must have one cell per column.
    mutating func append(_ cells: [String]) {
        precondition(cells.count == headers.count, "Table: \(cells.count) cells for \(headers.count) columns")
        rows.append(cells)
    }

    /// The table as lines: header, a rule, then the rows.
    var rendered: String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - cells[column].count)
                return alignments[column] == .left ? cells[column] + padding : padding + cells[column]
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n")
    }
}
