// libFuzzer entry point for `IDXArray(parsing:fileName:)`, raw and gzip-compressed input.
//
// Input starting with 0x1f 0x8b takes the zlib path as it is. Since zlib is not instrumented
// and a mutated gzip stream almost always fails its CRC, every other input is also gzipped
// here (as one member, or as two when its length is odd) and parsed again: the compressed
// parse must agree with the raw one, the same array or an error for both. That carries the
// fuzzer's header mutations through the inflate path.
//
// A thrown `IDXError` is the right answer for bad input; only a crash, a trap, a leak, a hang
// or an oversized allocation is a finding. An accepted array is checked against the format.
import CZlib
import MLPData

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let isGzip = size >= 2 && data[0] == 0x1F && data[1] == 0x8B
    let raw = parse(input)
    if let array = try? raw.get() {
        if isGzip {
            require(array.bytes.count <= IDXArray.maximumInflationRatio * size, "inflated past the ratio")
            require((try? IDXArray(parsing: array.serialized(), fileName: "again").dimensions) == array.dimensions, "raw round trip")
        } else {
            require(array.serialized() == input, "raw round trip differs")
        }
    }
    guard !isGzip else { return 0 }

    let half = size % 2 == 1 ? size / 2 : size
    let compressed = gzip(input[..<half]) + (half < size ? gzip(input[half...]) : [])
    let inflated = parse(compressed)
    switch (raw, inflated) {
    case (.success(let a), .success(let b)): require(a == b, "gzip and raw parses differ")
    case (.failure, .failure): break
    case (.success, .failure(let error)): fatalError("raw parse succeeded, gzip parse threw \(error)")
    case (.failure(let error), .success): fatalError("gzip parse succeeded, raw parse threw \(error)")
    }
    return 0
}

/// The reader's answer for `bytes`, within the allocation budget (gzip input may inflate up
/// to `maximumInflationRatio` times; raw input is reused in place), checked for invariants.
func parse(_ bytes: [UInt8]) -> Result<IDXArray, IDXError> {
    var result: Result<IDXArray, IDXError>!
    AllocationBudget(perInputByte: IDXArray.maximumInflationRatio + 16, fixed: 1 << 17).measure(size: bytes.count) {
        result = Result { () throws(IDXError) in try IDXArray(parsing: bytes, fileName: "fuzz-idx") }
    }
    switch result! {
    case .success(let array):
        require(!array.dimensions.isEmpty && array.dimensions.count <= 255, "dimension count")
        require(array.dimensions.allSatisfy { $0 > 0 }, "a dimension is not positive")
        require(array.dimensions.reduce(1, *) == array.bytes.count, "bytes do not fill the dimensions")
        show("accepted\(bytes.first == 0x1F ? " (gzip)" : ""): dimensions \(array.dimensions)")
    case .failure(let error):
        show("error: \(error.description)")  // the message a user sees must be producible too
    }
    return result
}

/// `bytes` as one gzip member (zlib's deflate, window bits 15 + 16 for the gzip wrapper).
func gzip(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
    var stream = z_stream()
    let started = deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    require(started == Z_OK, "deflateInit2 failed")
    defer { deflateEnd(&stream) }
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
    var input = Array(bytes)
    let status = input.withUnsafeMutableBufferPointer { source in
        out.withUnsafeMutableBufferPointer { target in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            stream.next_out = target.baseAddress
            stream.avail_out = UInt32(target.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    require(status == Z_STREAM_END, "deflate did not finish")
    out.removeLast(Int(stream.avail_out))
    return out
}
