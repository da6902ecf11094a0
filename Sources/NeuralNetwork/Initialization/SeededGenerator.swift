import RealModule

/// The package's own pseudo-random number generator: xoshiro256** seeded through SplitMix64.
///
/// A seed gives the same stream of numbers on every machine and every Swift version, which the
/// standard library's `SystemRandomNumberGenerator` (unseeded) and its `shuffle(using:)`
/// (algorithm unspecified) cannot promise. Everything random in SwiftMLP (initial weights,
/// the order of mini-batches) draws from one of these.
///
/// **Seeding (SplitMix64, Steele, Lea & Flood 2014).** The four state words are four
/// successive outputs of SplitMix64 started at `seed`:
///
///     x += 0x9E3779B97F4A7C15
///     z = x;  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
///             z = (z ^ (z >> 27)) * 0x94D049BB133111EB
///     output  z ^ (z >> 31)
///
/// **Generation (xoshiro256**, Blackman & Vigna 2018).** With state s0...s3:
///
///     result = rotl(s1 * 5, 7) * 9
///     t = s1 << 17
///     s2 ^= s0;  s3 ^= s1;  s1 ^= s2;  s0 ^= s3;  s2 ^= t;  s3 = rotl(s3, 45)
///
/// **Derived draws.** ``nextUnitInterval()`` is the top 53 bits times 2^-53, in [0, 1);
/// ``nextNormal()`` is one Box–Muller draw, `sqrt(-2 ln u1) cos(2 pi u2)` with
/// u1 = (top 53 bits + 1) 2^-53 in (0, 1] and u2 in [0, 1), computed in `Double` (the sine
/// partner is not kept, so the state is the four words and nothing else);
/// ``nextIndex(below:)`` is Lemire's multiply-shift with rejection (unbiased).
///
/// The state is a value: copy it, store it (``state``), and restore it with ``init(state:)``
/// to continue the exact stream, as a checkpoint does.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    /// The four 64-bit words of xoshiro256** state, never all zero.
    public private(set) var state: [UInt64]

    /// A generator whose state is expanded from `seed` by SplitMix64.
    public init(seed: UInt64) {
        var x = seed
        var words = [UInt64]()
        words.reserveCapacity(4)
        for _ in 0..<4 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            words.append(z ^ (z >> 31))
        }
        state = words
    }

    /// A generator continuing from a captured ``state``.
    ///
    /// - Throws: ``SeededGenerator/StateError`` when `state` is not four words or is all zero
    ///   (the one state xoshiro never leaves).
    public init(state: [UInt64]) throws(StateError) {
        guard state.count == 4 else { throw .wrongWordCount(state.count) }
        guard state.contains(where: { $0 != 0 }) else { throw .allZero }
        self.state = state
    }

    /// A state that cannot be restored.
    public enum StateError: Error, Equatable, CustomStringConvertible {
        /// The state must be exactly four words.
        case wrongWordCount(Int)
        /// The all-zero state is a fixed point of xoshiro.
        case allZero

        public var description: String {
            switch self {
            case .wrongWordCount(let n): "generator state must be 4 words, got \(n)"
            case .allZero: "generator state must not be all zero"
            }
        }
    }

    @inline(__always)
    private static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = Self.rotateLeft(state[3], 45)
        return result
    }

    /// A uniform draw from [0, 1): the top 53 bits times 2^-53.
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform draw from [lower, upper).
    public mutating func nextUniform(in lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * nextUnitInterval()
    }

    /// A standard normal draw, N(0, 1), by one Box–Muller transform (see the type's summary).
    public mutating func nextNormal() -> Double {
        let u1 = Double((next() >> 11) + 1) * 0x1.0p-53
        let u2 = nextUnitInterval()
        return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
    }

    /// A uniform integer in `0..<bound`, unbiased (Lemire 2019, multiply-shift with rejection).
    ///
    /// - Precondition: `bound > 0`.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "SeededGenerator: bound must be positive, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Shuffles `elements` in place by Fisher–Yates, drawing with ``nextIndex(below:)`` from
    /// the last position down, so the permutation depends only on the seed.
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ elements: inout C) where C.Index == Int {
        var i = elements.count - 1
        while i > 0 {
            let j = nextIndex(below: i + 1)
            elements.swapAt(elements.startIndex + i, elements.startIndex + j)
            i -= 1
        }
    }
}
