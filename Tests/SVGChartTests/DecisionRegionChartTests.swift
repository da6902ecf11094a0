import SVGChart
import Testing

/// `DecisionRegionChart.svg()` read back by an XML parser. The layout: a 480-pixel square plot
/// inside a 30-pixel margin, grid row 0 at the top; a point (x, y) of the square [-1, 1]^2
/// lands at (30 + 240 (x + 1), 30 + 240 (1 - y)).
@Suite struct DecisionRegionChartTests {
    @Test func cellsAndPointsWhereTheGridPutsThem() throws {
        let chart = DecisionRegionChart(title: "Decision regions", xRange: -1...1, yRange: -1...1,
                                        gridClasses: [0, 1, 1, 0], resolution: 2,
                                        points: [(x: -1, y: 1, label: 0), (x: 0.5, y: -0.5, label: 1), (x: .nan, y: 0, label: 1)])
        let document = try SVGDocument(chart.svg())
        #expect(document.root.name == "svg")
        #expect(document.root.number("width") == 540 && document.root.number("height") == 540)
        #expect(document.elements("text").map(\.text) == ["Decision regions"])

        let cells = try #require(document.elements("g").first).children
        #expect(cells.map { [$0.number("x")!, $0.number("y")!] } == [[30, 30], [270, 30], [30, 270], [270, 270]])
        #expect(cells.allSatisfy { $0.number("width") == 240.5 && $0.number("height") == 240.5 })
        #expect(cells.map { $0.attributes["fill"]! } == ["#cfe3f3", "#f6d5c2", "#f6d5c2", "#cfe3f3"])

        // The NaN point is skipped.
        let points = document.elements("circle")
        #expect(points.map { [$0.number("cx")!, $0.number("cy")!] } == [[30, 30], [390, 390]])
        #expect(points.map { $0.attributes["fill"]! } == ["#0072B2", "#D55E00"])
    }

    @Test func cellCentresRunFromTheTopLeft() {
        let first = DecisionRegionChart.cellCentre(row: 0, column: 0, resolution: 4, xRange: 0...8, yRange: -4...4)
        let last = DecisionRegionChart.cellCentre(row: 3, column: 3, resolution: 4, xRange: 0...8, yRange: -4...4)
        #expect(first == (1, 3) && last == (7, -3))
    }
}
