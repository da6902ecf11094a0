/// Where JSON text stopped making sense: the byte offset in the text and what was expected there.
package struct JSONSyntaxError: Error, Equatable {
    package var offset: Int
    package var expected: String
}

/// A strict RFC 8259 tokenizer over UTF-8 bytes for parsers that know the shape they expect.
///
/// It builds no tree: the caller reads the values it wants (strings, integers) and skips the
/// rest with `skipValue`, which checks their syntax, stores nothing and limits nesting to
/// `maximumDepth`. So memory stays proportional to what the caller keeps, and hostile input
/// can exhaust neither the heap nor the stack.
package struct JSONScanner {
    package static let maximumDepth = 64

    package let bytes: UnsafeBufferPointer<UInt8>
    package private(set) var position = 0

    package init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    package var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    package var atEnd: Bool { position == bytes.count }

    package func failure(_ expected: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: position, expected: expected)
    }

    package mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    /// Skips whitespace, then consumes `byte` or fails expecting `what`.
    package mutating func expect(_ byte: UInt8, _ what: String) throws(JSONSyntaxError) {
        skipWhitespace()
        guard current == byte else { throw failure(what) }
        position += 1
    }

    /// Skips whitespace, then consumes `byte` if it is next.
    package mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard current == byte else { return false }
        position += 1
        return true
    }

    /// What the next value is, for messages ("a string", "the number -1"), without consuming it.
    package mutating func describeNextValue() -> String {
        skipWhitespace()
        guard let byte = current else { return "the end of the header" }
        switch byte {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "t"): return "true"
        case UInt8(ascii: "f"): return "false"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var copy = self
            return (try? copy.numberText()).map { "the number \($0)" } ?? "a malformed number"
        default: return "no JSON value"
        }
    }

    /// Skips one value of any type, checking its syntax.
    package mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) {
        skipWhitespace()
        guard let byte = current else { throw failure("a JSON value") }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { throw failure("at most \(Self.maximumDepth) nested objects and arrays") }
            let isObject = byte == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            position += 1
            if consume(close) { return }
            repeat {
                if isObject {
                    skipWhitespace()
                    _ = try string()
                    try expect(UInt8(ascii: ":"), "':' after an object key")
                }
                try skipValue(depth: depth + 1)
            } while consume(UInt8(ascii: ","))
            try expect(close, isObject ? "',' or '}' in an object" : "',' or ']' in an array")
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try word("true")
        case UInt8(ascii: "f"): try word("false")
        case UInt8(ascii: "n"): try word("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try numberText()
        default: throw failure("a JSON value")
        }
    }

    private mutating func word(_ word: StaticString) throws(JSONSyntaxError) {
        let text = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for byte in text {
            guard current == byte else { throw failure("'\(word)'") }
            position += 1
        }
    }

    /// A number, `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, as its text.
    package mutating func numberText() throws(JSONSyntaxError) -> String {
        skipWhitespace()
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            guard isDigit(current) else { throw failure("a digit") }
            while isDigit(current) { position += 1 }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard isDigit(current) else { throw failure("a digit after '.'") }
            while isDigit(current) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard isDigit(current) else { throw failure("a digit in the exponent") }
            while isDigit(current) { position += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    /// The next value as a non-negative integer that fits in `Int`, or nil with nothing
    /// consumed (fractions, exponents, signs, too many digits and non-numbers all give nil).
    package mutating func nonNegativeInteger() -> Int? {
        skipWhitespace()
        var end = position
        var result = 0
        while end < bytes.count, let digit = digitValue(bytes[end]) {
            let (times10, o1) = result.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            result = sum
            end += 1
        }
        guard end > position else { return nil }
        // A leading zero must stand alone, and the literal must end here ("1.5", "1e3" are not integers).
        if bytes[position] == UInt8(ascii: "0"), end - position > 1 { return nil }
        if end < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[end]) { return nil }
        position = end
        return result
    }

    private func digitValue(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private func isDigit(_ byte: UInt8?) -> Bool {
        byte.map { digitValue($0) != nil } ?? false
    }

    /// A string from its opening quote (which must be next) to its closing one; escapes
    /// decoded, raw control characters rejected, `\u` surrogates required to come in pairs.
    /// The caller has checked that the text is valid UTF-8.
    package mutating func string() throws(JSONSyntaxError) -> String {
        guard current == UInt8(ascii: "\"") else { throw failure("a string") }
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        while true {
            guard let byte = current else { throw failure("'\"' to close the string") }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                if position > runStart {
                    let run = String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<position]), as: UTF8.self)
                    scalars.append(contentsOf: run.unicodeScalars)
                }
                position += 1
                if byte == UInt8(ascii: "\"") { return String(scalars) }
                scalars.append(try escape())
                runStart = position
            case 0x00..<0x20:
                throw failure("no raw control character inside a string (escape it)")
            default:
                position += 1
            }
        }
    }

    private mutating func escape() throws(JSONSyntaxError) -> Unicode.Scalar {
        guard let byte = current else { throw failure("an escape character after '\\'") }
        switch byte {
        case UInt8(ascii: "\""): position += 1; return "\""
        case UInt8(ascii: "\\"): position += 1; return "\\"
        case UInt8(ascii: "/"): position += 1; return "/"
        case UInt8(ascii: "b"): position += 1; return "\u{08}"
        case UInt8(ascii: "f"): position += 1; return "\u{0C}"
        case UInt8(ascii: "n"): position += 1; return "\n"
        case UInt8(ascii: "r"): position += 1; return "\r"
        case UInt8(ascii: "t"): position += 1; return "\t"
        case UInt8(ascii: "u"):
            position += 1
            let first = try hex4()
            if (0xD800..<0xDC00).contains(first) {
                let lowSurrogate = "a low surrogate '\\uDC00'...'\\uDFFF' after a high one"
                guard current == UInt8(ascii: "\\") else { throw failure(lowSurrogate) }
                position += 1
                guard current == UInt8(ascii: "u") else { throw failure(lowSurrogate) }
                position += 1
                let second = try hex4()
                guard (0xDC00..<0xE000).contains(second) else { throw failure(lowSurrogate) }
                return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(first) else { throw failure("a high surrogate before a low one") }
            return scalar
        default:
            throw failure("one of '\"\\/bfnrtu' after '\\'")
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw failure("four hexadecimal digits after '\\u'") }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("four hexadecimal digits after '\\u'")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}

/// JSON text for a string: quotes, the two mandatory escapes, and `\u00XX` for control characters.
package func jsonQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{00}"..."\u{1F}":
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
