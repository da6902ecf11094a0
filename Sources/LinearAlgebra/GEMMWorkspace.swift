/// The packing buffers of one sequential blocked GEMM: a block of packed A, a panel of packed
/// B and one MR x NR scratch tile for the edges of C.
///
/// Sized for a problem shape (never larger than the block sizes of ``GEMMBlocking`` need) and
/// aligned to 64 bytes, a cache line and a 512-bit vector. A workspace serves one thread at a
/// time; one that is big enough can be handed to any number of later products, which is how
/// an allocation-free training step can reuse it.
final class GEMMWorkspace {
    /// Capacity of ``packedA`` in floats: `roundUp(min(m, MC), MR) * min(k, KC)`.
    let capacityA: Int
    /// Capacity of ``packedB`` in floats: `roundUp(min(n, NC), NR) * min(k, KC)`.
    let capacityB: Int
    /// Packed A block (see ``GEMMPacking/packA(_:a:lda:i0:p0:mc:kc:into:)``).
    let packedA: UnsafeMutablePointer<Float>
    /// Packed B panel (see ``GEMMPacking/packB(_:b:ldb:p0:j0:kc:nc:into:)``).
    let packedB: UnsafeMutablePointer<Float>
    /// MR x NR floats for a tile that the edge of C cuts.
    let edgeTile: UnsafeMutablePointer<Float>
    private let memory: UnsafeMutableRawPointer

    /// Buffers for products with op(A) of `m x k` and op(B) of `k x n` (or any smaller).
    init(m: Int, n: Int, k: Int) {
        let kernel = GEMMMicroKernel.self
        let depth = min(k, GEMMBlocking.kc)
        capacityA = Self.roundUp(min(m, GEMMBlocking.mc), to: kernel.mr) * depth
        capacityB = Self.roundUp(min(n, GEMMBlocking.nc), to: kernel.nr) * depth
        let alignment = 64
        let floatsPerAlignment = alignment / MemoryLayout<Float>.stride
        let offsetB = Self.roundUp(capacityA, to: floatsPerAlignment)
        let offsetEdge = offsetB + Self.roundUp(capacityB, to: floatsPerAlignment)
        let count = offsetEdge + kernel.mr * kernel.nr
        memory = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: alignment)
        let floats = memory.bindMemory(to: Float.self, capacity: count)
        packedA = floats
        packedB = floats + offsetB
        edgeTile = floats + offsetEdge
    }

    /// Whether these buffers are large enough for an `m x n x k` product.
    func fits(m: Int, n: Int, k: Int) -> Bool {
        let depth = min(k, GEMMBlocking.kc)
        return Self.roundUp(min(m, GEMMBlocking.mc), to: GEMMMicroKernel.mr) * depth <= capacityA
            && Self.roundUp(min(n, GEMMBlocking.nc), to: GEMMMicroKernel.nr) * depth <= capacityB
    }

    deinit { memory.deallocate() }

    /// The smallest multiple of `step` that is >= `value`.
    static func roundUp(_ value: Int, to step: Int) -> Int { (value + step - 1) / step * step }
}
