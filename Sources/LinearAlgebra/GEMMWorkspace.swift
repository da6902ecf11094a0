/// The packing buffers of one sequential blocked GEMM: a block of packed A, a panel of packed
/// B and one MR x NR scratch tile for the edges of C.
///
/// Sized for a problem shape (never larger than the block sizes of ``GEMMBlocking`` need) and
/// aligned to 64 bytes, a cache line and a 512-bit vector. A workspace serves one thread at a
/// time (hence `@unchecked Sendable`: it moves between threads, it is never shared); one that
/// is big enough serves any number of later products, see ``GEMMWorkspacePool``.
final class GEMMWorkspace: @unchecked Sendable {
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

    /// The product shape the buffers were made for (they fit any smaller one too).
    let m: Int, n: Int, k: Int

    /// Buffers for products with op(A) of `m x k` and op(B) of `k x n` (or any smaller).
    init(m: Int, n: Int, k: Int) {
        (self.m, self.n, self.k) = (m, n, k)
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

    /// Floats of packing space, the measure by which a full pool keeps the larger workspaces.
    var size: Int { capacityA + capacityB }

    deinit { memory.deallocate() }

    /// The smallest multiple of `step` that is >= `value`.
    static func roundUp(_ value: Int, to step: Int) -> Int { (value + step - 1) / step * step }
}

/// Workspaces kept between products, so that a steady stream of GEMMs (a training loop)
/// allocates no packing buffers after its first steps.
///
/// ``withWorkspace(m:n:k:_:)`` takes the smallest pooled workspace that fits, or makes one, and returns it
/// to the pool afterwards; the pool keeps at most ``capacity`` of them. A workspace is capped by
/// the block sizes (at most `(MC + NC) * KC` floats, about 6.2 MiB), so the pool holds at most
/// a few tens of MiB however large the products.
enum GEMMWorkspacePool {
    /// The most workspaces kept: enough for one product on every core of a large machine.
    static let capacity = 16
    private static let pool = Locked<[GEMMWorkspace]>([])

    /// Runs `body` with a workspace that fits an `m x n x k` product, used by no one else meanwhile.
    static func withWorkspace<R>(m: Int, n: Int, k: Int, _ body: (GEMMWorkspace) -> R) -> R {
        let pooled = pool.withLock { workspaces -> GEMMWorkspace? in
            // Best fit: the smallest that fits, leaving larger ones to the larger parts that
            // other threads are packing at the same moment.
            var index: Int?
            for (i, candidate) in workspaces.enumerated() where candidate.fits(m: m, n: n, k: k) {
                if index == nil || candidate.size < workspaces[index!].size { index = i }
            }
            guard let index else { return nil }
            return workspaces.remove(at: index)
        }
        let workspace = pooled ?? GEMMWorkspace(m: m, n: n, k: k)
        defer {
            pool.withLock { workspaces in
                if workspaces.count < capacity {
                    workspaces.append(workspace)
                } else if let smallest = workspaces.indices.min(by: { workspaces[$0].size < workspaces[$1].size }),
                          workspaces[smallest].size < workspace.size {
                    // A full pool keeps the larger workspaces, which fit more products: a pool
                    // filled by small products early on would otherwise make every later large
                    // one allocate.
                    workspaces[smallest] = workspace
                }
            }
        }
        return body(workspace)
    }
}

/// One workspace per part index of the threaded products, kept from product to product: part
/// p of every threaded product packs into slot p.
///
/// Why not ``GEMMWorkspacePool``: which thread runs which part, and whether two parts overlap
/// in time, changes from step to step (a worker that is late leaves the caller to run both
/// parts one after the other). With a shared pool, a step whose parts overlapped for the first
/// time needed one workspace more than the steps before, and allocated it: 2-5 allocations per
/// 100 steps on a loaded machine. A slot per part needs the same buffers however the parts are
/// scheduled, so only the first products of a shape allocate.
///
/// Sound because ``GEMMThreadPool`` runs one job at a time (its calls are serialised by a lock)
/// and each part of a job runs on exactly one thread, so slot p has one user at a time; the
/// pool's ticket and pending count order one job's use of a slot before the next job's.
enum GEMMPartWorkspaces {
    /// Part indices with a slot; parts beyond (more threads than this) use ``GEMMWorkspacePool``.
    static let slotCount = 256
    private nonisolated(unsafe) static let slots: UnsafeMutablePointer<GEMMWorkspace?> = {
        let slots = UnsafeMutablePointer<GEMMWorkspace?>.allocate(capacity: slotCount)
        slots.initialize(repeating: nil, count: slotCount)
        return slots
    }()

    /// Runs `body` with slot `part`'s workspace, first replaced by one that fits both the old
    /// products and an `m x n x k` one when it is too small.
    ///
    /// - Precondition: called only from a part of a ``GEMMThreadPool`` job.
    static func withWorkspace<R>(part: Int, m: Int, n: Int, k: Int, _ body: (GEMMWorkspace) -> R) -> R {
        guard part < slotCount else { return GEMMWorkspacePool.withWorkspace(m: m, n: n, k: k, body) }
        if let workspace = slots[part], workspace.fits(m: m, n: n, k: k) { return body(workspace) }
        let old = slots[part]
        let workspace = GEMMWorkspace(m: max(m, old?.m ?? 0), n: max(n, old?.n ?? 0), k: max(k, old?.k ?? 0))
        slots[part] = workspace
        return body(workspace)
    }
}
