import Foundation

/// Median wall-clock times of several pieces of work, measured in alternation on the
/// monotonic clock.
///
/// Each piece gets one warm-up call (caches, page faults, thread pool start-up) that also sets
/// its `repetitions`, chosen so that its samples together take about `budget`. Then `samples`
/// rounds each time one sample (`repetitions` calls) of every piece in turn, so that a passing
/// load on a shared machine hits the competitors alike instead of one of them. The result per
/// piece is its median sample divided by its repetitions, in seconds: the median ignores the odd
/// sample that another process interrupted. `pauses[i]` (if given) is slept after every sample
/// and the warm-up of piece i, for work that leaves busy threads behind it.
func interleavedMedianSeconds(
    budget: Duration, samples: Int = 7, pauses: [Duration] = [], _ works: [() -> Void]
) -> [Double] {
    let clock = ContinuousClock()
    let perSample = budget / samples
    func pause(_ index: Int) {
        if index < pauses.count, pauses[index] > .zero { Thread.sleep(forTimeInterval: pauses[index].seconds) }
    }
    let repetitions = works.indices.map { index in
        let warmUp = clock.measure(works[index])
        pause(index)
        return max(1, Int((perSample / max(warmUp, .nanoseconds(1))).rounded(.down)))
    }
    var times = [[Double]](repeating: [], count: works.count)
    for _ in 0..<samples {
        for (index, work) in works.enumerated() {
            let elapsed = clock.measure {
                for _ in 0..<repetitions[index] { work() }
            }
            times[index].append(elapsed.seconds / Double(repetitions[index]))
            pause(index)
        }
    }
    return times.map(median)
}

/// The middle value of `values` (the upper middle for an even count; 0 when empty).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}
