extension Dataset {
    /// A 64-bit FNV-1a hash of the data's shape, features and targets (the bytes of each value
    /// as stored, in sample order): two data sets with the same fingerprint hold the same
    /// numbers with overwhelming likelihood. A resumed run compares it with the checkpoint's,
    /// so other data of the same shape, or another label column of the same file, is noticed.
    ///
    /// FNV-1a: h = (h XOR byte) * 0x100000001b3, from h = 0xcbf29ce484222325, here fed 8 bytes
    /// at a time (each 64-bit word XORed in whole), which keeps it fast on large image sets.
    public var fingerprint: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt64) { hash = (hash ^ word) &* 0x0000_0100_0000_01b3 }
        func mix(bytes: UnsafeRawBufferPointer) {
            var offset = 0
            while offset + 8 <= bytes.count {
                mix(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            var tail: UInt64 = 0
            for (shift, byte) in bytes[offset...].enumerated() { tail |= UInt64(byte) << (8 * UInt64(shift)) }
            mix(tail)
        }
        mix(UInt64(count))
        mix(UInt64(featureCount))
        mix(UInt64(targetWidth))
        switch features {
        case .bytes(let bytes, let scale):
            mix(UInt64(scale.bitPattern))
            bytes.withUnsafeBytes { mix(bytes: $0) }
        case .floats(let floats): floats.withUnsafeBytes { mix(bytes: $0) }
        }
        switch targets {
        case .classes(let labels, _): labels.withUnsafeBytes { mix(bytes: $0) }
        case .values(let values, _): values.withUnsafeBytes { mix(bytes: $0) }
        }
        return hash
    }
}
