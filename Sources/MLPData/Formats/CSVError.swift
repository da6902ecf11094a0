/// Why bytes are not a numeric CSV data set this reader accepts. Every case names the file;
/// lines and columns are 1-based, as editors count them.
public enum CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No line with any content.
    case empty(file: String)
    /// A header line and nothing after it.
    case noDataRows(file: String)
    /// A blank line before the last data line (blank lines at the end are ignored).
    case blankLine(file: String, line: Int)
    /// A row whose cell count differs from the first line's.
    case raggedRow(file: String, line: Int, expected: Int, found: Int)
    /// A cell that is not a decimal number.
    case notNumeric(file: String, line: Int, column: Int, text: String)
    /// A NaN or infinite feature or regression target.
    case nonFinite(file: String, line: Int, column: Int, text: String)
    /// A label that is not a whole number (or too large for a class index).
    case labelNotInteger(file: String, line: Int, column: Int, text: String)
    /// A label below 0.
    case negativeLabel(file: String, line: Int, column: Int, text: String)
    /// A label not below the given class count.
    case labelOutOfRange(file: String, line: Int, column: Int, label: Int, classCount: Int)
    /// A requested label or target column is not in the file.
    case columnNotFound(file: String, column: String, reason: String)
    /// The target columns leave no feature column, repeat a column, or number fewer than 1.
    case invalidTargetColumns(file: String, reason: String)

    public var description: String {
        switch self {
        case .empty(let file):
            return "\(file): empty; expected a header line or data rows"
        case .noDataRows(let file):
            return "\(file): a header line and no data rows"
        case .blankLine(let file, let line):
            return "\(file): line \(line) is blank; blank lines are allowed only at the end"
        case .raggedRow(let file, let line, let expected, let found):
            return "\(file): line \(line): expected \(expected) cells (as on the first line), found \(found)"
        case .notNumeric(let file, let line, let column, let text):
            return "\(file): line \(line), column \(column): expected a number, found '\(text)'"
        case .nonFinite(let file, let line, let column, let text):
            return "\(file): line \(line), column \(column): '\(text)' is not finite; features and targets must be finite numbers"
        case .labelNotInteger(let file, let line, let column, let text):
            return "\(file): line \(line), column \(column): expected an integer class label, found '\(text)'"
        case .negativeLabel(let file, let line, let column, let text):
            return "\(file): line \(line), column \(column): class label \(text) is negative; expected 0 or more"
        case .labelOutOfRange(let file, let line, let column, let label, let classCount):
            return "\(file): line \(line), column \(column): class label \(label); expected 0..<\(classCount)"
        case .columnNotFound(let file, let column, let reason):
            return "\(file): column \(column) not found: \(reason)"
        case .invalidTargetColumns(let file, let reason):
            return "\(file): \(reason)"
        }
    }
}
