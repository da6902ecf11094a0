/// Every tensor of a network in one contiguous `Float` store, a range per tensor.
///
/// Layer after layer, each layer's ``Layer/tensors`` in their declared order, each starting at
/// a multiple of 16 floats (64 bytes, a cache line and an AVX-512 register) so that kernels
/// see aligned rows; the gaps hold zeros. A ``Workspace`` holds the gradients in the same
/// layout, so optimizers, checkpoints, broadcasts and the allreduce walk the same ranges:
/// nothing assumes "one weight and one bias per layer".
public struct ParameterArena: Sendable, Equatable {
    /// One tensor's place.
    public struct Entry: Sendable, Equatable {
        /// The layer it belongs to.
        public var layer: Int
        /// What the layer declared.
        public var declaration: TensorDeclaration
        /// Its floats in ``values``.
        public var range: Range<Int>
    }

    /// Every tensor, in order.
    public let entries: [Entry]
    /// Per layer, the offset of its first tensor (where ``LayerPass/parameters`` points).
    public let layerOffsets: [Int]
    /// Per layer, its entries' indices in ``entries``.
    public let layerEntries: [Range<Int>]
    /// The store.
    public internal(set) var values: [Float]

    /// `count` rounded up to a multiple of 16.
    @inline(__always)
    public static func aligned(_ count: Int) -> Int { (count + 15) & ~15 }

    /// The layout for `layers`, every value zero.
    init(layers: [any Layer]) {
        var entries: [Entry] = [], offsets: [Int] = [], layerEntries: [Range<Int>] = []
        var offset = 0
        for (l, layer) in layers.enumerated() {
            offsets.append(offset)
            let first = entries.count
            for declaration in layer.tensors {
                entries.append(Entry(layer: l, declaration: declaration, range: offset..<(offset + declaration.count)))
                offset += Self.aligned(declaration.count)
            }
            layerEntries.append(first..<entries.count)
        }
        self.entries = entries
        self.layerOffsets = offsets
        self.layerEntries = layerEntries
        values = [Float](repeating: 0, count: offset)
    }

    /// Floats in the store, gaps included.
    public var count: Int { values.count }

    /// The trainable entries, in order.
    public var trainable: [Entry] { entries.filter(\.declaration.isTrainable) }

    /// Layer `layer`'s tensors' values, in declared order.
    func values(ofLayer layer: Int) -> [[Float]] {
        layerEntries[layer].map { Array(values[entries[$0].range]) }
    }
}
