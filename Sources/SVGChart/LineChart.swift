import RealModule

/// A line chart rendered as a standalone SVG document: several named series of (x, y) points
/// over shared axes with "nice" ticks, a title, axis labels and a legend.
///
/// Used for learning curves (`mlp train --plot`) and benchmark charts (`mlp-bench --svg`).
/// Points with a non-finite coordinate are skipped, so a diverged run still draws.
public struct LineChart: Sendable {
    /// One line of the chart.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// Draw a marker at every point (useful when there are few).
        public var markers: Bool

        public init(name: String, points: [(x: Double, y: Double)], markers: Bool = true) {
            self.name = name
            self.points = points
            self.markers = markers
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Plot x on a base-2 logarithmic axis (matrix sizes).
    public var logarithmicX: Bool
    public var width: Double = 640
    public var height: Double = 400

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logarithmicX: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logarithmicX = logarithmicX
    }

    /// The colours of successive series (colour-blind-safe palette).
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]

    /// The chart as an SVG document.
    public func svg() -> String {
        let left = 70.0, right = 150.0, top = 40.0, bottom = 50.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logarithmicX || $0.x > 0) }
        let tx: (Double) -> Double = logarithmicX ? { Double.log2($0) } : { $0 }
        let xs = all.map { tx($0.x) }, ys = all.map(\.y)
        let xAxis = Axis(low: xs.min() ?? 0, high: xs.max() ?? 1, integerTicks: logarithmicX)
        let yAxis = Axis(low: min(ys.min() ?? 0, 0 < (ys.min() ?? 0) && (ys.min() ?? 0) < 0.2 * (ys.max() ?? 1) ? 0 : ys.min() ?? 0),
                         high: ys.max() ?? 1, integerTicks: false)
        func px(_ x: Double) -> Double { left + (tx(x) - xAxis.low) / (xAxis.high - xAxis.low) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y - yAxis.low) / (yAxis.high - yAxis.low) * plotHeight }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(width))" height="\(fmt(height))" \
        viewBox="0 0 \(fmt(width)) \(fmt(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(fmt(left + plotWidth / 2))" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>

        """
        for tick in xAxis.ticks {
            let x = left + (tick - xAxis.low) / (xAxis.high - xAxis.low) * plotWidth
            let label = logarithmicX ? fmt(pow2(tick)) : fmt(tick)
            out += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(top))\" x2=\"\(fmt(x))\" y2=\"\(fmt(top + plotHeight))\" stroke=\"#e5e5e5\"/>\n"
            out += "<text x=\"\(fmt(x))\" y=\"\(fmt(top + plotHeight + 16))\" text-anchor=\"middle\">\(label)</text>\n"
        }
        for tick in yAxis.ticks {
            let y = py(tick)
            out += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(y))\" x2=\"\(fmt(left + plotWidth))\" y2=\"\(fmt(y))\" stroke=\"#e5e5e5\"/>\n"
            out += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\">\(fmt(tick))</text>\n"
        }
        out += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotWidth))\" height=\"\(fmt(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        out += "<text x=\"\(fmt(left + plotWidth / 2))\" y=\"\(fmt(height - 12))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        out += "<text transform=\"translate(18 \(fmt(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"

        for (index, line) in series.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            let points = line.points.filter { $0.x.isFinite && $0.y.isFinite && (!logarithmicX || $0.x > 0) }
            if points.count > 1 {
                let path = points.map { "\(fmt(px($0.x))),\(fmt(py($0.y)))" }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            }
            if line.markers {
                for p in points {
                    out += "<circle cx=\"\(fmt(px(p.x)))\" cy=\"\(fmt(py(p.y)))\" r=\"3\" fill=\"\(colour)\"/>\n"
                }
            }
            let legendY = top + 10 + Double(index) * 18
            out += "<line x1=\"\(fmt(left + plotWidth + 12))\" y1=\"\(fmt(legendY))\" x2=\"\(fmt(left + plotWidth + 32))\" y2=\"\(fmt(legendY))\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            out += "<text x=\"\(fmt(left + plotWidth + 38))\" y=\"\(fmt(legendY + 4))\">\(escape(line.name))</text>\n"
        }
        out += "</svg>\n"
        return out
    }
}

/// An axis range widened to round numbers, with about five ticks at multiples of 1, 2 or 5 x 10^e.
struct Axis {
    var low: Double
    var high: Double
    var ticks: [Double]

    init(low rawLow: Double, high rawHigh: Double, integerTicks: Bool) {
        var lo = rawLow, hi = rawHigh
        if !(hi > lo) { lo -= 0.5; hi += 0.5 }
        let rough = (hi - lo) / 5
        let magnitude = pow10((Double.log10(rough)).rounded(.down))
        var step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        if integerTicks { step = max(1, step.rounded(.up)) }
        low = (lo / step).rounded(.down) * step
        high = (hi / step).rounded(.up) * step
        // A range too wide for Double (near +-1.8e308) has no round step: its ends are the ticks.
        guard step.isFinite, step > 0, low.isFinite, high.isFinite, high > low else {
            (low, high, ticks) = (lo, hi, [lo, hi])
            return
        }
        ticks = stride(from: low, through: high + step / 2, by: step).map { $0 }
    }
}

/// A number rounded to four decimals, with no trailing zeros; from 1e14 on, Swift's shortest
/// form (`1e+20`), which SVG reads too. Callers draw finite values only.
func fmt(_ value: Double) -> String {
    // 1e14 x 10^4 is still far from Int.max (9.2e18), so the rounding below cannot trap.
    if !(abs(value) < 1e14) { return value.isFinite ? "\(value)" : "0" }
    if value == value.rounded() { return String(Int(value)) }
    var text = String(Double(Int((value * 10_000).rounded())) / 10_000)
    if text.hasSuffix(".0") { text.removeLast(2) }
    return text
}

/// Text safe inside SVG elements and attributes: the markup characters as entities, and the
/// characters XML 1.0 does not allow at all (C0 controls other than tab, line feed and carriage
/// return; U+FFFE, U+FFFF) as U+FFFD.
func escape(_ text: String) -> String {
    let entities: [Unicode.Scalar: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"]
    var out = ""
    for scalar in text.unicodeScalars {
        let allowed = scalar.value >= 0x20 ? scalar.value != 0xFFFE && scalar.value != 0xFFFF : "\t\n\r".unicodeScalars.contains(scalar)
        if let entity = entities[scalar] { out += entity } else { out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}") }
    }
    return out
}

func pow10(_ e: Double) -> Double { Double.pow(10, e) }
func pow2(_ e: Double) -> Double { Double.pow(2, e) }
