// libFuzzer entry point for `SafeTensors(bytes:fileName:)`.
//
// A thrown `SafeTensorsError` is the right answer for bad input; only a crash, a trap, a leak,
// a hang or an oversized allocation is a finding. What the reader accepts is checked against
// the format's invariants, so a wrong answer traps too.
import MLPData

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var result: Result<SafeTensors, SafeTensorsError>!
    // Values take up to 2 Floats per 2 data bytes, shapes 8 bytes per 2 header bytes.
    AllocationBudget(perInputByte: 16, fixed: 1 << 16).measure(size: size) {
        result = Result { () throws(SafeTensorsError) in try SafeTensors(bytes: bytes, fileName: "fuzz.safetensors") }
    }
    do {
        let file = try result.get()
        var elements = 0
        for (name, tensor) in file.tensors {
            require(name != SafeTensors.metadataKey, "a tensor named \(SafeTensors.metadataKey)")
            require(tensor.shape.allSatisfy { $0 >= 0 }, "negative dimension")
            require(tensor.shape.reduce(1, *) == tensor.values.count, "values do not fill the shape")
            elements += tensor.values.count
        }
        // Every element took at least 2 bytes of the file (F16/BF16).
        require(2 * elements <= size, "more elements than the file holds")
        show("accepted: " + file.names.map { "\($0) \(file.tensors[$0]!.shape)" }.joined(separator: ", ")
             + (file.metadata.isEmpty ? "" : ", metadata \(file.metadata.count)"))
    } catch {
        show("error: \(error.description)")  // the message a user sees must be producible too
    }
    return 0
}
