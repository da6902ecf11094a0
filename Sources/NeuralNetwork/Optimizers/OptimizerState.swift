/// A rule's memory for one parameter: a fixed number of `Float` slots.
public protocol OptimizerState: Sendable {
    /// The slots' names, e.g. `["velocity"]` or `["mean", "variance"]`.
    static var slotNames: [String] { get }
    /// The state before the first step (all slots zero).
    static var zero: Self { get }
    /// Reads parameter `index`'s state from slot-major storage (slot s at `s * stride + index`).
    init(from storage: UnsafePointer<Float>, index: Int, stride: Int)
    /// Writes it back the same way.
    func store(to storage: UnsafeMutablePointer<Float>, index: Int, stride: Int)
}

/// No memory (plain SGD).
public struct NoState: OptimizerState, Equatable {
    public static let slotNames: [String] = []
    public static let zero = NoState()
    public init() {}
    public init(from storage: UnsafePointer<Float>, index: Int, stride: Int) {}
    public func store(to storage: UnsafeMutablePointer<Float>, index: Int, stride: Int) {}
}

/// One slot: momentum's velocity v.
public struct Velocity: OptimizerState, Equatable {
    /// v, the running sum of past gradients (decayed by momentum).
    public var velocity: Float
    public static let slotNames = ["velocity"]
    public static let zero = Velocity(velocity: 0)
    public init(velocity: Float) { self.velocity = velocity }
    public init(from storage: UnsafePointer<Float>, index: Int, stride: Int) { velocity = storage[index] }
    public func store(to storage: UnsafeMutablePointer<Float>, index: Int, stride: Int) { storage[index] = velocity }
}

/// One slot: RMSProp's running mean of squared gradients.
public struct MeanSquare: OptimizerState, Equatable {
    /// s, the exponential moving average of g².
    public var meanSquare: Float
    public static let slotNames = ["mean-square"]
    public static let zero = MeanSquare(meanSquare: 0)
    public init(meanSquare: Float) { self.meanSquare = meanSquare }
    public init(from storage: UnsafePointer<Float>, index: Int, stride: Int) { meanSquare = storage[index] }
    public func store(to storage: UnsafeMutablePointer<Float>, index: Int, stride: Int) { storage[index] = meanSquare }
}

/// Two slots: Adam's first moment m and second raw moment v.
public struct Moments: OptimizerState, Equatable {
    /// m, the exponential moving average of g.
    public var mean: Float
    /// v, the exponential moving average of g² (uncentred variance).
    public var variance: Float
    public static let slotNames = ["mean", "variance"]
    public static let zero = Moments(mean: 0, variance: 0)
    public init(mean: Float, variance: Float) { self.mean = mean; self.variance = variance }
    public init(from storage: UnsafePointer<Float>, index: Int, stride: Int) {
        mean = storage[index]
        variance = storage[stride + index]
    }
    public func store(to storage: UnsafeMutablePointer<Float>, index: Int, stride: Int) {
        storage[index] = mean
        storage[stride + index] = variance
    }
}
