// libFuzzer entry point for `IDXArray(parsing:fileName:)`, raw and gzip-compressed input
// (input starting with 0x1f 0x8b takes the zlib path).
//
// A thrown `IDXError` is the right answer for bad input; only a crash, a trap, a leak, a hang
// or an oversized allocation is a finding. An accepted array is checked against the format.
import NeuralNetwork

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let isGzip = size >= 2 && data[0] == 0x1F && data[1] == 0x8B
    var result: Result<IDXArray, IDXError>!
    // gzip may inflate up to `maximumInflationRatio` times; raw input is reused in place.
    AllocationBudget(perInputByte: IDXArray.maximumInflationRatio + 16, fixed: 1 << 17).measure(size: size) {
        result = Result { () throws(IDXError) in try IDXArray(parsing: input, fileName: "fuzz-idx") }
    }
    do {
        let array = try result.get()
        require(!array.dimensions.isEmpty && array.dimensions.count <= 255, "dimension count")
        require(array.dimensions.allSatisfy { $0 > 0 }, "a dimension is not positive")
        require(array.dimensions.reduce(1, *) == array.bytes.count, "bytes do not fill the dimensions")
        if isGzip {
            require(array.bytes.count <= IDXArray.maximumInflationRatio * size, "inflated past the ratio")
            // What was inflated must round-trip through the raw writer and reader.
            let again = try IDXArray(parsing: array.serialized(), fileName: "fuzz-idx-again")
            require(again == array, "raw round trip differs")
        } else {
            require(array.serialized() == input, "raw round trip differs")
        }
    } catch {
        _ = error.description
    }
    return 0
}
