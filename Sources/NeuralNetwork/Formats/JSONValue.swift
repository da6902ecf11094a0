/// A JSON document as a tree, for the small documents SwiftMLP writes itself (a model's
/// architecture in its safetensors metadata, checkpoint manifests).
///
/// Parsing goes through the strict `JSONScanner` (nesting at most 64 deep); ``serialized``
/// writes compact JSON with object keys in the order given, numbers in Swift's shortest
/// round-tripping form.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in document order (keys unique).
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// The member called `key` of an object, nil otherwise.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var numberValue: Double? { if case .number(let n) = self { n } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }

    /// The value as an `Int` when it is a number with no fractional part that fits.
    public var intValue: Int? {
        guard let n = numberValue, n == n.rounded(), abs(n) < 9.0e15 else { return nil }
        return Int(n)
    }

    /// Parses a whole JSON text.
    ///
    /// - Throws: ``JSONError`` with the byte offset and what was expected there.
    public init(parsing text: String) throws(JSONError) {
        var text = text
        let result: Result<JSONValue, JSONSyntaxError> = text.withUTF8 { bytes in
            var scanner = JSONScanner(bytes)
            do throws(JSONSyntaxError) {
                let value = try Self.parseValue(&scanner, depth: 0)
                scanner.skipWhitespace()
                guard scanner.atEnd else { throw scanner.failure("the end of the text") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): self = value
        case .failure(let error): throw JSONError(offset: error.offset, expected: error.expected)
        }
    }

    private static func parseValue(_ scanner: inout JSONScanner, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < JSONScanner.maximumDepth else { throw scanner.failure("nesting at most \(JSONScanner.maximumDepth) deep") }
        scanner.skipWhitespace()
        switch scanner.current {
        case UInt8(ascii: "{"):
            _ = scanner.consume(UInt8(ascii: "{"))
            var members: [(String, JSONValue)] = []
            if scanner.consume(UInt8(ascii: "}")) { return .object(members) }
            repeat {
                scanner.skipWhitespace()
                let key = try scanner.string()
                guard !members.contains(where: { $0.0 == key }) else { throw scanner.failure("no duplicate key '\(key)'") }
                try scanner.expect(UInt8(ascii: ":"), "':' after an object key")
                members.append((key, try parseValue(&scanner, depth: depth + 1)))
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "}"), "',' or '}' in an object")
            return .object(members)
        case UInt8(ascii: "["):
            _ = scanner.consume(UInt8(ascii: "["))
            var elements: [JSONValue] = []
            if scanner.consume(UInt8(ascii: "]")) { return .array(elements) }
            repeat {
                elements.append(try parseValue(&scanner, depth: depth + 1))
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "]"), "',' or ']' in an array")
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(try scanner.string())
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let description = scanner.describeNextValue()
            try scanner.skipValue()
            switch description {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return .null
            }
        default:
            let text = try scanner.numberText()
            guard let number = Double(text) else { throw scanner.failure("a number") }
            return .number(number)
        }
    }

    /// Compact JSON text.
    public var serialized: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n):
            guard n.isFinite else { return "null" }
            if n == n.rounded() && abs(n) < 1e15 { return String(Int(n)) }
            return "\(n)"
        case .string(let s): return jsonQuoted(s)
        case .array(let a): return "[" + a.map(\.serialized).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { jsonQuoted($0.0) + ":" + $0.1.serialized }.joined(separator: ",") + "}"
        }
    }
}

/// JSON text that does not parse: where and what was expected.
public struct JSONError: Error, Equatable, CustomStringConvertible {
    public var offset: Int
    public var expected: String
    public init(offset: Int, expected: String) {
        self.offset = offset
        self.expected = expected
    }
    public var description: String { "JSON at byte \(offset): expected \(expected)" }
}
