import ArgumentParser
import Foundation
import Synchronization

/// What the benchmarks print about the machine before and after they time: the load
/// average, and how long two cores take to hand a cache line back and forth.
///
/// The second is there because the project's 2-core virtual machines switch between two
/// states: two cores that share a cache (a round trip of 60-75 ns here) and two that do not
/// (330-340 ns), presumably as the host places them. Every product of a two-thread training
/// step hands data from one core to the other, so in the second state a batch-32 step takes
/// 390 us instead of 215 us, with nothing else running. A figure is comparable with another
/// only when both were taken in the same state.
func machineState() -> String {
    "load average \(loadAverage()); core-to-core round trip \(Int(coreRoundTripNanoseconds().rounded())) ns"
}

/// The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them.
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

/// Median nanoseconds for one thread to hand a value to another and get the answer back
/// (an atomic ping-pong between the calling thread and a new one, both spinning).
func coreRoundTripNanoseconds(rounds: Int = 20_000) -> Double {
    let box = PingPong()
    let other = Thread {
        for i in 0..<rounds {
            while box.flag.load(ordering: .acquiring) != 2 * i + 1 {}
            box.flag.store(2 * i + 2, ordering: .releasing)
        }
    }
    other.start()
    let clock = ContinuousClock()
    var samples: [Double] = []
    let perSample = 1000
    for sample in 0..<(rounds / perSample) {
        let elapsed = clock.measure {
            for j in 0..<perSample {
                let i = sample * perSample + j
                box.flag.store(2 * i + 1, ordering: .releasing)
                while box.flag.load(ordering: .acquiring) != 2 * i + 2 {}
            }
        }
        samples.append(elapsed.seconds * 1e9 / Double(perSample))
    }
    return median(samples)
}

private final class PingPong: Sendable {
    let flag = Atomic<Int>(0)
}

/// `mlp-bench machine`: prints ``machineState()``, to tell which state the machine is in
/// before (or between) other benchmarks, the peer script's among them.
struct MachineBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "Print the load average and the core-to-core round trip (which state the machine is in).")

    func run() {
        print(machineState())
    }
}
