/// Median wall-clock time of a piece of work on the monotonic clock.
///
/// One warm-up call (caches, page faults, thread pool start-up), then `samples` samples of
/// `repetitions` calls each, where `repetitions` is chosen from the warm-up so that all samples
/// together take about `budget`. The result is the median sample divided by its repetitions,
/// in seconds: the median ignores the odd sample that another process interrupted.
func medianSeconds(budget: Duration, samples: Int = 5, _ work: () -> Void) -> Double {
    let clock = ContinuousClock()
    let warmUp = clock.measure(work)
    let perSample = budget / samples
    let repetitions = max(1, Int((perSample / max(warmUp, .nanoseconds(1))).rounded(.down)))
    var times: [Double] = []
    for _ in 0..<samples {
        let elapsed = clock.measure {
            for _ in 0..<repetitions { work() }
        }
        times.append(elapsed.seconds / Double(repetitions))
    }
    times.sort()
    return times[times.count / 2]
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}
