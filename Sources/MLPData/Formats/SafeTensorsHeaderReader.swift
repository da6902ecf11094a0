/// One tensor's header entry as written, before its values are checked against each other.
struct SafeTensorsHeaderEntry {
    var name: String
    var dtype: String?
    var shape: [Int]?
    var offsets: (begin: Int, end: Int)?
}

/// Reads the safetensors header JSON straight into entries and metadata, building no JSON
/// tree: shapes go into `[Int]`, values of unknown keys in a tensor entry are skipped (their
/// syntax checked, nothing stored). Memory is thus a small multiple of the header's length
/// however hostile it is, and nesting is bounded by `JSONScanner.maximumDepth`.
///
/// Expected shape: `{"name": {"dtype": string, "shape": [integer, ...], "data_offsets":
/// [integer, integer], other keys ignored}, ..., "__metadata__": {string: string, ...}}`,
/// every integer non-negative, no object repeating a key.
struct SafeTensorsHeaderReader {
    private var scanner: JSONScanner
    private let fileName: String
    /// Where the header starts in the file, added to offsets in messages.
    private let base = 8

    init(_ header: UnsafeBufferPointer<UInt8>, fileName: String) {
        scanner = JSONScanner(header)
        self.fileName = fileName
    }

    mutating func read() throws(SafeTensorsError) -> (entries: [SafeTensorsHeaderEntry], metadata: [String: String]) {
        var entries: [SafeTensorsHeaderEntry] = []
        var metadata: [String: String] = [:]
        var seen = Set<String>()
        try open("header", expected: "a JSON object")
        try members { (reader: inout Self, key: String) throws(SafeTensorsError) in
            guard seen.insert(key).inserted else { throw .duplicateKey(file: reader.fileName, location: "header", key: key) }
            if key == SafeTensors.metadataKey {
                metadata = try reader.readMetadata()
            } else {
                entries.append(try reader.readEntry(name: key))
            }
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw malformed(scanner.failure("the end of the JSON text")) }
        return (entries, metadata)
    }

    private mutating func readMetadata() throws(SafeTensorsError) -> [String: String] {
        var metadata: [String: String] = [:]
        try open(SafeTensors.metadataKey, expected: "an object of strings")
        try members { (reader: inout Self, key: String) throws(SafeTensorsError) in
            reader.scanner.skipWhitespace()
            guard reader.scanner.current == UInt8(ascii: "\"") else {
                throw try reader.mismatch("\(SafeTensors.metadataKey) '\(key)'", expected: "a string", depth: 2)
            }
            let value = try reader.syntax { (s: inout JSONScanner) throws(JSONSyntaxError) in try s.string() }
            guard metadata.updateValue(value, forKey: key) == nil else {
                throw .duplicateKey(file: reader.fileName, location: SafeTensors.metadataKey, key: key)
            }
        }
        return metadata
    }

    private mutating func readEntry(name: String) throws(SafeTensorsError) -> SafeTensorsHeaderEntry {
        let location = "tensor '\(name)'"
        var entry = SafeTensorsHeaderEntry(name: name)
        var seen = Set<String>()
        try open(location, expected: "an object with dtype, shape and data_offsets")
        try members { (reader: inout Self, key: String) throws(SafeTensorsError) in
            guard seen.insert(key).inserted else { throw .duplicateKey(file: reader.fileName, location: location, key: key) }
            switch key {
            case "dtype":
                reader.scanner.skipWhitespace()
                guard reader.scanner.current == UInt8(ascii: "\"") else {
                    throw try reader.mismatch("\(location) dtype", expected: "a string", depth: 2)
                }
                entry.dtype = try reader.syntax { (s: inout JSONScanner) throws(JSONSyntaxError) in try s.string() }
            case "shape":
                entry.shape = try reader.integers("\(location) shape", expected: "an array of non-negative integers", limit: nil)
            case "data_offsets":
                let offsets = try reader.integers("\(location) data_offsets", expected: "[begin, end], two non-negative integers", limit: 2)
                guard offsets.count == 2 else {
                    throw .unexpectedValue(file: reader.fileName, location: "\(location) data_offsets",
                                           expected: "[begin, end], two non-negative integers", found: "\(offsets.count) of them")
                }
                entry.offsets = (offsets[0], offsets[1])
            default:
                try reader.syntax { (s: inout JSONScanner) throws(JSONSyntaxError) in try s.skipValue(depth: 2) }
            }
        }
        return entry
    }

    /// An array of non-negative integers (at most `limit` of them).
    private mutating func integers(_ location: String, expected: String, limit: Int?) throws(SafeTensorsError) -> [Int] {
        scanner.skipWhitespace()
        guard scanner.current == UInt8(ascii: "[") else { throw try mismatch(location, expected: expected, depth: 2) }
        _ = scanner.consume(UInt8(ascii: "["))
        var values: [Int] = []
        if scanner.consume(UInt8(ascii: "]")) { return values }
        repeat {
            if let limit, values.count == limit {
                throw .unexpectedValue(file: fileName, location: location, expected: expected, found: "more than \(limit) values")
            }
            guard let value = scanner.nonNegativeInteger() else { throw try mismatch(location, expected: expected, depth: 3) }
            values.append(value)
        } while scanner.consume(UInt8(ascii: ","))
        try syntax { (s: inout JSONScanner) throws(JSONSyntaxError) in try s.expect(UInt8(ascii: "]"), "',' or ']' in an array") }
        return values
    }

    /// Consumes `{`, or reports the value found instead.
    private mutating func open(_ location: String, expected: String) throws(SafeTensorsError) {
        scanner.skipWhitespace()
        guard scanner.current == UInt8(ascii: "{") else { throw try mismatch(location, expected: expected, depth: 1) }
        _ = scanner.consume(UInt8(ascii: "{"))
    }

    /// Reads `"key": value` pairs up to and including the closing `}`; `body` reads each value.
    private mutating func members(_ body: (inout Self, String) throws(SafeTensorsError) -> Void) throws(SafeTensorsError) {
        if scanner.consume(UInt8(ascii: "}")) { return }
        repeat {
            scanner.skipWhitespace()
            guard scanner.current == UInt8(ascii: "\"") else { throw malformed(scanner.failure("a string key")) }
            let key = try syntax { (s: inout JSONScanner) throws(JSONSyntaxError) in try s.string() }
            try syntax { (s: inout JSONScanner) throws(JSONSyntaxError) in try s.expect(UInt8(ascii: ":"), "':' after an object key") }
            try body(&self, key)
        } while scanner.consume(UInt8(ascii: ","))
        try syntax { (s: inout JSONScanner) throws(JSONSyntaxError) in try s.expect(UInt8(ascii: "}"), "',' or '}' in an object") }
    }

    /// The error for a value of the wrong type: a syntax error if the value is not even
    /// well-formed JSON, otherwise `unexpectedValue` naming what it is.
    private func mismatch(_ location: String, expected: String, depth: Int) throws(SafeTensorsError) -> SafeTensorsError {
        var probe = scanner
        do {
            try probe.skipValue(depth: depth)
        } catch {
            return malformed(error)
        }
        // A value must be followed by a separator, a closing bracket or the end ("01" is not a number).
        probe.skipWhitespace()
        if let next = probe.current, ![UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}")].contains(next) {
            return malformed(probe.failure("',', ']' or '}' after a value"))
        }
        probe = scanner
        return .unexpectedValue(file: fileName, location: location, expected: expected, found: probe.describeNextValue())
    }

    private mutating func syntax<T>(_ step: (inout JSONScanner) throws(JSONSyntaxError) -> T) throws(SafeTensorsError) -> T {
        do {
            return try step(&scanner)
        } catch {
            throw malformed(error)
        }
    }

    private func malformed(_ error: JSONSyntaxError) -> SafeTensorsError {
        .malformedJSON(file: fileName, offset: base + error.offset, expected: error.expected)
    }
}
