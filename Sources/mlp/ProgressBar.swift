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

/// Writes `text` to standard error unbuffered (write(2)), so it interleaves correctly with stdout.
func writeToStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

/// `value` with `digits` decimals (no Foundation needed).
func format(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    if abs(value) >= 1e12 { return "\(value)" }  // beyond fixed-point sense (and Int's range)
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    var fraction = String(Int(scaled - Double(whole) * scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return (value < 0 && scaled != 0 ? "-" : "") + "\(whole)" + (digits > 0 ? "." + fraction : "")
}
