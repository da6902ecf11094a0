import Foundation

// Hostile files for the fault suite, made byte by byte (no Python, no zlib).

/// A safetensors file: `header` (a JSON object's text) padded with spaces to 8 bytes, then `dataBytes` zero bytes.
func writeSafeTensors(_ path: String, header: String, dataBytes: Int) throws {
    var headerBytes = Array(header.utf8)
    while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
    var bytes = withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { Array($0) }
    bytes += headerBytes + [UInt8](repeating: 0, count: dataBytes)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Rewrites a safetensors file's JSON header with `transform` (the data is kept; offsets are relative to it).
func rewriteSafeTensorsHeader(_ path: String, _ transform: (String) -> String) throws {
    let bytes = [UInt8](try contentsOfFile(URL(fileURLWithPath: path)))
    let length = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
    let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
    var newHeader = Array(transform(header).utf8)
    while newHeader.count % 8 != 0 { newHeader.append(0x20) }
    let out = withUnsafeBytes(of: UInt64(newHeader.count).littleEndian) { Array($0) } + newHeader + bytes[(8 + length)...]
    try Data(out).write(to: URL(fileURLWithPath: path))
}

/// Overwrites 4 bytes of a safetensors file's data with `value`, `index` floats into tensor `name`.
func poke(_ path: String, tensor name: String, index: Int, value: Float) throws {
    var bytes = [UInt8](try contentsOfFile(URL(fileURLWithPath: path)))
    let length = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
    let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as! [String: Any]
    let offsets = (header[name] as! [String: Any])["data_offsets"] as! [Int]
    let at = 8 + length + offsets[0] + 4 * index
    withUnsafeBytes(of: value.bitPattern.littleEndian) { for (k, b) in $0.enumerated() { bytes[at + k] = b } }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// CRC-32 (IEEE, reflected, polynomial 0xEDB88320), as gzip's trailer holds it.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var table = [UInt32](repeating: 0, count: 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        table[i] = c
    }
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    return ~crc
}

/// `payload` as a gzip member of stored (uncompressed) deflate blocks: a valid .gz that
/// inflates to exactly `payload`, whatever the bytes.
func storedGzip(_ payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
    var offset = 0
    repeat {
        let n = min(65535, payload.count - offset)
        let final: UInt8 = offset + n == payload.count ? 1 : 0
        out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
        out += payload[offset..<(offset + n)]
        offset += n
    } while offset < payload.count
    out += withUnsafeBytes(of: crc32(payload).littleEndian) { Array($0) }
    out += withUnsafeBytes(of: UInt32(truncatingIfNeeded: payload.count).littleEndian) { Array($0) }
    return out
}

/// An IDX header: magic (unsigned bytes) and the dimensions, big-endian.
func idxHeader(_ dimensions: [Int]) -> [UInt8] {
    [0, 0, 8, UInt8(dimensions.count)] + dimensions.flatMap { d in (0..<4).reversed().map { UInt8((d >> (8 * $0)) & 0xFF) } }
}
