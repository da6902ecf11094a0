import CZlib

extension IDXArray {
    /// Parses gzip-compressed IDX: inflates the 4-byte magic, then the dimension sizes, then
    /// the elements directly into their final array, then checks that nothing follows.
    static func inflating(_ compressed: [UInt8], fileName: String) throws(IDXError) -> IDXArray {
        try compressed.withUnsafeBufferPointer { input throws(IDXError) -> IDXArray in
            let inflater = try Inflater(input, fileName: fileName)

            var header = [UInt8](repeating: 0, count: 4)
            let gotMagic = try inflater.read(into: &header, 0..<4)
            header.removeLast(4 - gotMagic)
            if header.count == 4, header[0] == 0, header[1] == 0, header[2] == 0x08, header[3] > 0 {
                let dimensionCount = Int(header[3])
                header += [UInt8](repeating: 0, count: 4 * dimensionCount)
                let got = try inflater.read(into: &header, 4..<header.count)
                header.removeLast(4 * dimensionCount - got)
            }
            let (dimensions, elementCount) = try parseHeader(header, fileName: fileName)
            let (limit, overflow) = input.count.multipliedReportingOverflow(by: maximumInflationRatio)
            guard overflow || elementCount <= limit else {
                throw .implausibleSize(file: fileName, dimensions: dimensions, compressedBytes: input.count)
            }

            // The header's claim is not trusted with memory: the array grows with what actually
            // inflates (doubling, from at most 4 times the compressed size), so a small file
            // whose header promises gigabytes fails having allocated about what it holds.
            var elements = [UInt8]()
            var produced = 0
            var capacity = min(elementCount, max(4 * input.count, 1 << 16))
            var failure: IDXError?
            while failure == nil {
                let previous = elements
                elements = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                    previous.withUnsafeBufferPointer { old in
                        if let base = old.baseAddress { buffer.baseAddress!.initialize(from: base, count: produced) }
                    }
                    do throws(IDXError) {
                        produced += try inflater.read(into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[produced..<capacity])))
                    } catch {
                        failure = error
                    }
                    initialized = produced
                }
                if produced < capacity || capacity == elementCount { break }  // the stream ended, or the array is full
                capacity = min(elementCount, 2 * capacity)
            }
            if let failure { throw failure }
            let extra = try inflater.countRemaining()
            guard produced == elementCount, extra == 0 else {
                throw .dataLengthMismatch(file: fileName, dimensions: dimensions, expected: elementCount, actual: produced + extra)
            }
            return IDXArray(dimensions: dimensions, bytes: elements)
        }
    }
}

/// A zlib inflate stream over gzip input (window bits 15 + 32: zlib or gzip header, detected),
/// reading on across concatenated gzip members.
///
/// zlib's state points back at its `z_stream` and rejects calls made through a moved copy,
/// so the `z_stream` lives in its own allocation, owned by this class.
private final class Inflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let input: UnsafeBufferPointer<UInt8>
    private let fileName: String
    private var finished = false
    private var started = false

    init(_ input: UnsafeBufferPointer<UInt8>, fileName: String) throws(IDXError) {
        self.input = input
        self.fileName = fileName
        stream.initialize(to: z_stream())
        // inflateInit2 is a macro; call the function it expands to.
        let status = inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw .corruptGzip(file: fileName, reason: "zlib could not start (status \(status))") }
        started = true
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.pointee.avail_in = UInt32(clamping: input.count)
    }

    deinit {
        if started { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates into `array[range]`; returns how many bytes it got (fewer only at the end).
    func read(into array: inout [UInt8], _ range: Range<Int>) throws(IDXError) -> Int {
        var got = 0
        var failure: IDXError?
        array.withUnsafeMutableBytes { bytes in
            do throws(IDXError) { got = try read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[range])) } catch { failure = error }
        }
        if let failure { throw failure }
        return got
    }

    /// Inflates into `output` until it is full or the last gzip member ends; returns the count.
    func read(into output: UnsafeMutableRawBufferPointer) throws(IDXError) -> Int {
        var produced = 0
        while produced < output.count && !finished {
            let chunk = min(output.count - produced, Int(UInt32.max))
            stream.pointee.next_out = output.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(chunk)
            refill()
            let status = inflate(stream, Z_NO_FLUSH)
            produced += chunk - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                if consumed == input.count {
                    finished = true
                } else {
                    // Another gzip member follows.
                    guard inflateReset(stream) == Z_OK else { throw .corruptGzip(file: fileName, reason: "zlib could not reset") }
                }
            case Z_BUF_ERROR:
                // No progress: with input left this cannot happen, so the input is cut off.
                throw .corruptGzip(file: fileName, reason: "the compressed stream ends early, after \(consumed) of its bytes")
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw .corruptGzip(file: fileName, reason: "\(message) (near compressed byte \(consumed))")
            }
        }
        return produced
    }

    /// Inflates what is left into scratch space and counts it (bounded by the input's size
    /// times the inflation ratio, and time proportional to it).
    func countRemaining() throws(IDXError) -> Int {
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while !finished {
            total += try read(into: &scratch, 0..<scratch.count)
        }
        return total
    }

    private var consumed: Int {
        stream.pointee.next_in.map { UnsafePointer($0) - input.baseAddress! } ?? input.count
    }

    /// `avail_in` is 32 bits; input over 4 GiB is fed in pieces.
    private func refill() {
        if stream.pointee.avail_in == 0 {
            let remaining = input.count - consumed
            stream.pointee.avail_in = UInt32(clamping: remaining)
        }
    }
}
