import ArgumentParser
import Foundation

/// Parses a comma-separated list, naming the first item that does not parse.
func parseList<T>(_ text: String, _ parse: (String) -> T?) throws -> [T] {
    try text.split(separator: ",").map { item in
        let trimmed = item.trimmingCharacters(in: .whitespaces)
        guard let value = parse(trimmed) else { throw ValidationError("cannot read '\(trimmed)' in '\(text)'") }
        return value
    }
}
