extension SafeTensors {
    /// The file's bytes: every tensor as F32, in `names` order in both header and data buffer.
    ///
    /// The header is compact JSON with every object's keys in code-point order (so
    /// `__metadata__`, included only when `metadata` is non-empty, sorts before lowercase names,
    /// and a tensor's keys read `data_offsets`, `dtype`, `shape`). Like the reference writer,
    /// it is padded with spaces to a multiple of 8 bytes, so the data buffer starts 8-aligned
    /// and every F32 tensor is 4-aligned in the file.
    ///
    /// - Precondition: no tensor is named `__metadata__`, and each tensor's shape product
    ///   equals its value count (the fields are mutable, so this is checked again here).
    public func serialized() -> [UInt8] {
        let order = names
        var offsets: [Range<Int>] = []
        offsets.reserveCapacity(order.count)
        var dataLength = 0
        for name in order {
            precondition(name != Self.metadataKey, "SafeTensors: a tensor cannot be named \(Self.metadataKey)")
            let tensor = tensors[name]!
            let elementCount = tensor.shape.reduce(1, *)
            precondition(tensor.shape.allSatisfy { $0 >= 0 } && elementCount == tensor.values.count,
                         "SafeTensors: tensor '\(name)' has shape \(tensor.shape) but \(tensor.values.count) values")
            offsets.append(dataLength..<(dataLength + 4 * elementCount))
            dataLength += 4 * elementCount
        }

        var members: [(key: String, json: String)] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted(by: Self.scalarOrder).map { jsonQuoted($0) + ":" + jsonQuoted(metadata[$0]!) }
            members.append((Self.metadataKey, "{" + pairs.joined(separator: ",") + "}"))
        }
        for (name, range) in zip(order, offsets) {
            let shape = tensors[name]!.shape.map(String.init).joined(separator: ",")
            members.append((name, "{\"data_offsets\":[\(range.lowerBound),\(range.upperBound)],\"dtype\":\"F32\",\"shape\":[\(shape)]}"))
        }
        members.sort { Self.scalarOrder($0.key, $1.key) }
        var header = Array(("{" + members.map { jsonQuoted($0.key) + ":" + $0.json }.joined(separator: ",") + "}").utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + dataLength)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for name in order {
            #if _endian(little)
            tensors[name]!.values.withUnsafeBytes { bytes.append(contentsOf: $0) }
            #else
            for value in tensors[name]!.values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
            #endif
        }
        return bytes
    }

    /// Writes `serialized()` to `path` atomically (temporary file in the same folder, then
    /// rename); on failure an existing file at `path` is left as it was.
    ///
    /// - Throws: `FileError.unwritable`.
    public func save(toFile path: String) throws(FileError) {
        try BinaryFile.writeAtomically(serialized(), toPath: path)
    }
}
