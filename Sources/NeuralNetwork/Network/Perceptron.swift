/// Rosenblatt's perceptron (1958): a threshold unit and its learning rule.
///
///     y = 1 if sum_i w_i x_i - T >= 0 else 0
///
/// Learning, one sample (x, t) at a time with rate eta:
///
///     w <- w + eta (t - y) x        T <- T - eta (t - y)
///
/// so a wrong 0 moves w towards x and lowers the threshold, a wrong 1 does the opposite,
/// and a right answer changes nothing. If the classes are linearly separable the rule stops
/// making mistakes after finitely many updates (Novikoff 1962); if they are not, it never does.
///
/// The soft perceptron, sigmoid instead of the step and trained by gradient descent, is
/// ``Network/logisticPerceptron(inputSize:initializer:seed:)``.
public struct Perceptron: Sendable, Equatable {
    /// w, one weight per input.
    public var weights: [Float]
    /// T, the threshold the weighted sum must reach.
    public var threshold: Float

    /// A perceptron with all weights and the threshold zero.
    public init(inputSize: Int) {
        weights = [Float](repeating: 0, count: inputSize)
        threshold = 0
    }

    /// A perceptron with the given weights and threshold.
    public init(weights: [Float], threshold: Float) {
        self.weights = weights
        self.threshold = threshold
    }

    /// y = 1 if w . x - T >= 0 else 0.
    ///
    /// - Precondition: `x.count == weights.count`.
    public func output(_ x: [Float]) -> Int {
        precondition(x.count == weights.count, "Perceptron: \(x.count) inputs for \(weights.count) weights")
        var sum: Float = 0
        for (w, xi) in zip(weights, x) { sum += w * xi }
        return sum - threshold >= 0 ? 1 : 0
    }

    /// One application of the learning rule; returns whether the output was already right.
    @discardableResult
    public mutating func learn(_ x: [Float], target: Int, learningRate: Float = 1) -> Bool {
        let error = Float(target - output(x))
        guard error != 0 else { return true }
        for i in weights.indices { weights[i] += learningRate * error * x[i] }
        threshold -= learningRate * error
        return false
    }

    /// Runs the rule over `samples` in order, epoch after epoch, until an epoch makes no
    /// mistake or `epochs` have run. Returns the number of mistakes in each epoch run.
    @discardableResult
    public mutating func train(_ samples: [(input: [Float], target: Int)], epochs: Int, learningRate: Float = 1) -> [Int] {
        var mistakes: [Int] = []
        for _ in 0..<epochs {
            var wrong = 0
            for (x, t) in samples where !learn(x, target: t, learningRate: learningRate) { wrong += 1 }
            mistakes.append(wrong)
            if wrong == 0 { break }
        }
        return mistakes
    }
}
