#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar on standard error, redrawn in place with a carriage return:
///
///     epoch 2/10 [##########..........] 235/469 loss 0.4123 52310 samples/s ETA 4s
///
/// It draws only when standard error is a terminal, so scripts and logs never see it.
struct ProgressBar {
    let enabled: Bool
    private var lastDraw: ContinuousClock.Instant?

    init(enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.enabled = enabled
    }

    /// Redraws the bar (at most 20 times a second, and always for the last batch).
    mutating func update(epoch: Int, epochs: Int, batch: Int, batches: Int,
                         loss: Double, samplesPerSecond: Double, secondsLeft: Double) {
        guard enabled else { return }
        let now = ContinuousClock.now
        if let lastDraw, now - lastDraw < .milliseconds(50), batch < batches { return }
        lastDraw = now
        let width = 24
        let filled = batches == 0 ? width : width * batch / batches
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "epoch \(epoch)/\(epochs) [\(bar)] \(batch)/\(batches) loss \(format(loss, digits: 4)) "
            + "\(Int(samplesPerSecond)) samples/s ETA \(Int(secondsLeft.rounded(.up)))s"
        write("\r" + line + "\u{1B}[K")
    }

    /// Ends the current line so that what follows starts on a fresh one.
    func finishLine() {
        guard enabled else { return }
        write("\n")
    }

    private func write(_ text: String) { writeToStandardError(text) }
}
