#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON documents SwiftMLP writes itself and reads back (a model's architecture in its
/// safetensors metadata, checkpoint manifests, `mlp train --json` lines), as `Codable` values.
///
/// Writing gives compact JSON with every object's keys sorted, so that a value has the same
/// bytes in every process (equal networks save to equal files). Reading checks the syntax
/// first with the strict tokenizer that reads safetensors headers (nesting at most 64 deep), so
/// malformed text is reported by byte offset as a ``JSONError``; the type's `init(from:)` then
/// validates the content and throws its own error naming the member that is wrong.
public enum JSONDocument {
    /// `value` as compact JSON with sorted keys.
    ///
    /// - Precondition: `value` encodes (a type whose `encode(to:)` fails, say on a NaN, is a
    ///   programming error: documents write non-finite numbers as `null` themselves).
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            preconditionFailure("JSONDocument: \(T.self) does not encode as JSON: \(error)")
        }
    }

    /// The `T` that `text` holds.
    ///
    /// - Throws: ``JSONError`` when `text` is not JSON, else whatever `T.init(from:)` throws.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        var text = text
        let syntax: JSONSyntaxError? = text.withUTF8 { bytes in
            var scanner = JSONScanner(bytes)
            do throws(JSONSyntaxError) {
                try scanner.skipValue()
                scanner.skipWhitespace()
                guard scanner.atEnd else { throw scanner.failure("the end of the text") }
                return nil
            } catch {
                return error
            }
        }
        if let syntax { throw JSONError(offset: syntax.offset, expected: syntax.expected) }
        return try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// JSON text that does not parse: where and what was expected.
public struct JSONError: Error, Equatable, CustomStringConvertible {
    /// The byte offset in the text.
    public var offset: Int
    /// What would have been valid there.
    public var expected: String
    public init(offset: Int, expected: String) {
        self.offset = offset
        self.expected = expected
    }
    public var description: String { "JSON at byte \(offset): expected \(expected)" }
}
