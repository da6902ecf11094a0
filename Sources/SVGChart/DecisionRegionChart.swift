/// The decision regions of a classifier on 2-D inputs, rendered as SVG: the plane coloured by
/// the predicted class on a grid, with the data points on top in their true class's colour.
///
/// This is the picture that shows a linear model cutting the plane with straight lines and a
/// network with a non-linear activation bending them.
public struct DecisionRegionChart: Sendable {
    public var title: String
    /// The plotted square of input space: x in `xRange`, y in `yRange`.
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    /// Predicted class per grid cell, `resolution x resolution`, row 0 at the top (largest y).
    public var gridClasses: [Int]
    public var resolution: Int
    /// The data points and their true classes.
    public var points: [(x: Double, y: Double, label: Int)]
    public var size: Double = 480

    public init(title: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                gridClasses: [Int], resolution: Int, points: [(x: Double, y: Double, label: Int)]) {
        precondition(gridClasses.count == resolution * resolution,
                     "DecisionRegionChart: \(gridClasses.count) cells for a \(resolution)x\(resolution) grid")
        self.title = title
        self.xRange = xRange
        self.yRange = yRange
        self.gridClasses = gridClasses
        self.resolution = resolution
        self.points = points
    }

    /// The centre of grid cell (row, column) in input coordinates; row 0 is the top.
    public static func cellCentre(row: Int, column: Int, resolution: Int,
                                  xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) -> (x: Double, y: Double) {
        let x = xRange.lowerBound + (Double(column) + 0.5) / Double(resolution) * (xRange.upperBound - xRange.lowerBound)
        let y = yRange.upperBound - (Double(row) + 0.5) / Double(resolution) * (yRange.upperBound - yRange.lowerBound)
        return (x, y)
    }

    static let light = ["#cfe3f3", "#f6d5c2", "#c9ebe0", "#f0d8e6", "#f9e7bf", "#d7ecf8", "#dddddd"]

    /// The chart as an SVG document.
    public func svg() -> String {
        let margin = 30.0
        let cell = size / Double(resolution)
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(size + 2 * margin))" height="\(fmt(size + 2 * margin))" \
        font-family="sans-serif" font-size="13">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(fmt(margin + size / 2))" y="20" text-anchor="middle">\(escape(title))</text>
        <g shape-rendering="crispEdges">

        """
        for row in 0..<resolution {
            for column in 0..<resolution {
                let label = gridClasses[row * resolution + column]
                out += "<rect x=\"\(fmt(margin + Double(column) * cell))\" y=\"\(fmt(margin + Double(row) * cell))\" "
                    + "width=\"\(fmt(cell + 0.5))\" height=\"\(fmt(cell + 0.5))\" fill=\"\(Self.light[label % Self.light.count])\"/>\n"
            }
        }
        out += "</g>\n"
        let dx = xRange.upperBound - xRange.lowerBound, dy = yRange.upperBound - yRange.lowerBound
        for p in points where p.x.isFinite && p.y.isFinite {
            let x = margin + (p.x - xRange.lowerBound) / dx * size
            let y = margin + (yRange.upperBound - p.y) / dy * size
            out += "<circle cx=\"\(fmt(x))\" cy=\"\(fmt(y))\" r=\"2.5\" fill=\"\(LineChart.palette[p.label % LineChart.palette.count])\"/>\n"
        }
        out += "<rect x=\"\(fmt(margin))\" y=\"\(fmt(margin))\" width=\"\(fmt(size))\" height=\"\(fmt(size))\" fill=\"none\" stroke=\"#333\"/>\n"
        out += "</svg>\n"
        return out
    }
}
