/// Counter-based random numbers for the passes (Dropout's masks): each number is a hash of
/// (seed, step, layer, sample, column), so it does not depend on which thread computes it or
/// in which order, and a run resumed at step t draws exactly what the uninterrupted run drew.
///
/// The hash is SplitMix64's finaliser (Steele, Lea & Flood 2014) applied to the key folded in
/// one word at a time; its top 24 bits give a uniform `Float` in [0, 1).
public struct RandomStream: Sendable, Equatable {
    /// The stream's seed (the training seed, unless given).
    public var seed: UInt64
    /// The step whose numbers to draw (the optimizer's update count; 0 outside training).
    public var step: UInt64
    /// The position of this process's first sample in the global batch, so that with several
    /// ranks each sample gets the numbers it would get in one process.
    public var sampleOffset: Int

    public init(seed: UInt64, step: UInt64 = 0, sampleOffset: Int = 0) {
        self.seed = seed
        self.step = step
        self.sampleOffset = sampleOffset
    }

    /// The key of one sample's row in one layer; ``uniform(_:column:)`` draws from it.
    @inline(__always)
    public func rowKey(layer: Int, sample: Int) -> UInt64 {
        var h = Self.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        h = Self.mix(h ^ step)
        h = Self.mix(h ^ UInt64(truncatingIfNeeded: layer))
        return Self.mix(h ^ UInt64(truncatingIfNeeded: sampleOffset + sample))
    }

    /// A uniform number in [0, 1) for `column` of the row keyed `key`.
    @inline(__always)
    public static func uniform(_ key: UInt64, column: Int) -> Float {
        Float(mix(key ^ UInt64(truncatingIfNeeded: column) &* 0xD1B5_4A32_D192_ED03) >> 40) * 0x1p-24
    }

    /// SplitMix64's output function: a bijection of 64-bit words that scrambles every bit.
    @inline(__always)
    static func mix(_ word: UInt64) -> UInt64 {
        var z = word &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
