extension SafeTensors {
    /// Reads a safetensors file from its bytes; `fileName` is used only in error messages.
    ///
    /// Everything in the header is checked before any tensor storage is allocated, so memory
    /// is bounded by the input: tensor values take at most 2 bytes per data byte (F16/BF16 to
    /// `Float`), and reading the header a few bytes per header byte (a shape's integers).
    ///
    /// 1. At least 8 bytes; the header length N is at most `maximumHeaderLength` and at most
    ///    the bytes after the first 8.
    /// 2. The header is UTF-8 and one JSON object (nesting at most 64 deep). Each key other
    ///    than `__metadata__` is a tensor whose value is an object with `dtype` (one of
    ///    `DType`), `shape` (an array of non-negative integers) and `data_offsets` (an array of
    ///    two non-negative integers); other keys in it are ignored. `__metadata__` is an object
    ///    of strings. No object repeats a key. The header is read without building a JSON
    ///    tree, so a hostile header costs memory proportional to its length (a few times).
    /// 3. For each tensor, `begin <= end <= data length` and
    ///    `product(shape) * dtype.byteCount == end - begin`, computed with overflow checks.
    /// 4. Sorted by offsets, the tensors tile the data buffer exactly: the first begins at 0,
    ///    each begins where the one before ends, and the last ends at the end of the file. This
    ///    is the reference implementation's rule; it rules out both overlaps (a tensor whose
    ///    bytes alias another's) and hidden bytes.
    ///
    /// - Throws: `SafeTensorsError`, the first problem found in that order.
    public init(bytes: some Collection<UInt8>, fileName: String) throws(SafeTensorsError) {
        let result: Result<SafeTensors, SafeTensorsError>
        if let parsed = bytes.withContiguousStorageIfAvailable({ Self.parse(UnsafeRawBufferPointer($0), fileName: fileName) }) {
            result = parsed
        } else {
            result = Array(bytes).withUnsafeBytes { Self.parse($0, fileName: fileName) }
        }
        self = try result.get()
    }

    /// Reads the safetensors file at `path` (named by its path in error messages).
    ///
    /// - Throws: `FileError` when the file cannot be read, `SafeTensorsError` when it is not valid.
    public init(contentsOfFile path: String) throws {
        let bytes = try BinaryFile.read(atPath: path)
        try self.init(bytes: bytes, fileName: path)
    }

    /// A tensor's header entry, checked on its own.
    private struct Entry {
        var name: String
        var dtype: DType
        var shape: [Int]
        var range: Range<Int>
    }

    private static func parse(_ file: UnsafeRawBufferPointer, fileName: String) -> Result<SafeTensors, SafeTensorsError> {
        Result { () throws(SafeTensorsError) -> SafeTensors in try parseThrowing(file, fileName: fileName) }
    }

    private static func parseThrowing(_ file: UnsafeRawBufferPointer, fileName: String) throws(SafeTensorsError) -> SafeTensors {
        guard file.count >= 8 else { throw .tooShort(file: fileName, byteCount: file.count) }
        let headerLength = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(maximumHeaderLength) else {
            throw .headerTooLarge(file: fileName, headerLength: headerLength)
        }
        guard headerLength <= UInt64(file.count - 8) else {
            throw .headerLengthBeyondFile(file: fileName, headerLength: headerLength, available: file.count - 8)
        }
        let headerEnd = 8 + Int(headerLength)
        let header = UnsafeBufferPointer<UInt8>(rebasing: file.assumingMemoryBound(to: UInt8.self)[8..<headerEnd])
        if let bad = firstInvalidUTF8(header) { throw .headerNotUTF8(file: fileName, offset: 8 + bad) }

        var reader = SafeTensorsHeaderReader(header, fileName: fileName)
        let (rawEntries, metadata) = try reader.read()
        let dataLength = file.count - headerEnd
        var entries: [Entry] = []
        entries.reserveCapacity(rawEntries.count)
        for raw in rawEntries {
            entries.append(try checkEntry(raw, dataLength: dataLength, fileName: fileName))
        }

        // Tile check: sorted by (begin, end, name) so that messages are deterministic.
        entries.sort { a, b in
            if a.range.lowerBound != b.range.lowerBound { return a.range.lowerBound < b.range.lowerBound }
            if a.range.upperBound != b.range.upperBound { return a.range.upperBound < b.range.upperBound }
            return scalarOrder(a.name, b.name)
        }
        var covered = 0
        var previous: Entry?
        for entry in entries {
            if entry.range.lowerBound < covered, let previous {
                throw .overlappingTensors(file: fileName, tensor: entry.name, range: entry.range, other: previous.name, otherRange: previous.range)
            }
            if entry.range.lowerBound > covered {
                throw .uncoveredBytes(file: fileName, range: covered..<entry.range.lowerBound, dataLength: dataLength)
            }
            covered = entry.range.upperBound
            previous = entry
        }
        if covered < dataLength {
            throw .uncoveredBytes(file: fileName, range: covered..<dataLength, dataLength: dataLength)
        }

        // Only now, with every size proven to come from the input, allocate and convert.
        let data = UnsafeRawBufferPointer(rebasing: file[headerEnd...])
        var tensors: [String: Tensor] = [:]
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            let values = convert(UnsafeRawBufferPointer(rebasing: data[entry.range]), from: entry.dtype)
            tensors[entry.name] = Tensor(shape: entry.shape, values: values)
        }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// One entry on its own: keys present, dtype known, offsets inside the data, size agreeing.
    private static func checkEntry(_ raw: SafeTensorsHeaderEntry, dataLength: Int, fileName: String) throws(SafeTensorsError) -> Entry {
        let name = raw.name
        guard let dtypeName = raw.dtype else { throw .missingKey(file: fileName, tensor: name, key: "dtype") }
        guard let shape = raw.shape else { throw .missingKey(file: fileName, tensor: name, key: "shape") }
        guard let (begin, end) = raw.offsets else { throw .missingKey(file: fileName, tensor: name, key: "data_offsets") }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw .unsupportedDType(file: fileName, tensor: name, dtype: dtypeName)
        }
        guard begin <= end, end <= dataLength else {
            throw .offsetsOutOfRange(file: fileName, tensor: name, begin: begin, end: end, dataLength: dataLength)
        }

        var byteCount = dtype.byteCount
        for size in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw .shapeOverflow(file: fileName, tensor: name, shape: shape, dtype: dtype.rawValue) }
            byteCount = product
        }
        guard byteCount == end - begin else {
            throw .byteCountMismatch(file: fileName, tensor: name, shape: shape, dtype: dtype.rawValue, expected: byteCount, actual: end - begin)
        }
        return Entry(name: name, dtype: dtype, shape: shape, range: begin..<end)
    }

    /// The offset of the first byte where `bytes` stops being valid UTF-8, or nil.
    private static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// Little-endian elements of `dtype` as Floats.
    static func convert(_ bytes: UnsafeRawBufferPointer, from dtype: DType) -> [Float] {
        let count = bytes.count / dtype.byteCount
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            switch dtype {
            case .float32:
                #if _endian(little)
                // The file's layout is the host's: one copy (the source may be unaligned).
                UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<(4 * count)]))
                #else
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
                #endif
            case .float64:
                for i in 0..<count {
                    out[i] = Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            case .int64:
                for i in 0..<count {
                    out[i] = Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                }
            case .bfloat16:
                for i in 0..<count {
                    let half = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(half) << 16)
                }
            case .float16:
                for i in 0..<count {
                    out[i] = floatFromHalf(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
            }
            initialized = count
        }
    }

    /// The binary16 value with bit pattern `bits`, exactly, as a binary32.
    ///
    /// Normal numbers re-bias the exponent (15 -> 127) and widen the fraction (10 -> 23 bits);
    /// subnormals are `fraction * 2^-24`, exact in binary32; infinities and NaNs keep their
    /// sign and fraction bits. Done on bits, as `Float16` is not available on every platform
    /// Swift supports.
    static func floatFromHalf(_ bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32(bits >> 10) & 0x1F
        let fraction = UInt32(bits) & 0x3FF
        switch exponent {
        case 0:
            let magnitude = Float(fraction) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | fraction << 13)
        default:
            return Float(bitPattern: sign | (exponent + 127 - 15) << 23 | fraction << 13)
        }
    }
}
