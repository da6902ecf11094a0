import SVGChart
import Testing

/// `LineChart.svg()` read back by an XML parser: well-formed, and every mark where the layout
/// puts it. The expected pixels follow from the layout alone: a 640 x 400 chart with margins
/// left 70, right 150, top 40, bottom 50 has a 420 x 310 plot, and an axis from `low` to
/// `high` maps v to 70 + 420 (v - low) / (high - low) across and 350 - 310 (v - low) / (high - low) up.
@Suite struct LineChartTests {
    /// The (x, y) pairs of a `points` attribute.
    static func pairs(_ points: String?) -> [[Double]] {
        (points ?? "").split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } }
    }

    /// Every numeric attribute of every element is a finite number.
    static func expectFiniteCoordinates(_ document: SVGDocument, sourceLocation: SourceLocation = #_sourceLocation) {
        for element in [document.root] + document.root.descendants {
            for name in ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r"] where element.attributes[name] != nil {
                let value = element.number(name)
                #expect(value?.isFinite == true, "\(element.name) \(name)=\(element.attributes[name]!)", sourceLocation: sourceLocation)
            }
            for pair in pairs(element.attributes["points"]) {
                #expect(pair.count == 2 && pair.allSatisfy(\.isFinite), "polyline point \(pair)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func linesMarkersTicksAndLegendWhereTheAxesPutThem() throws {
        let chart = LineChart(title: "Loss per epoch", xLabel: "epoch", yLabel: "loss", series: [
            .init(name: "training", points: [(1, 0.5), (2, 1.0), (3, 2.5), (5, 2.0)]),
            .init(name: "test", points: [(1, 1.0), (4, .nan), (5, 1.5)]),
        ])
        let document = try SVGDocument(chart.svg())
        #expect(document.root.name == "svg")
        #expect(document.root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(document.root.number("width") == 640 && document.root.number("height") == 400)
        #expect(document.root.attributes["viewBox"] == "0 0 640 400")
        Self.expectFiniteCoordinates(document)

        // x from 1 to 5 (ticks every 1), y from 0.5 to 2.5 (ticks every 0.5); the NaN point is skipped.
        let lines = document.elements("polyline").map { Self.pairs($0.attributes["points"]) }
        #expect(lines == [[[70, 350], [175, 272.5], [280, 40], [490, 117.5]], [[70, 272.5], [490, 195]]])
        let markers = document.elements("circle").map { [$0.number("cx")!, $0.number("cy")!] }
        #expect(markers == [[70, 350], [175, 272.5], [280, 40], [490, 117.5], [70, 272.5], [490, 195]])
        #expect(document.elements("polyline").map { $0.attributes["stroke"] } == ["#0072B2", "#D55E00"])

        let texts = document.elements("text").map(\.text)
        #expect(texts.first == "Loss per epoch")
        #expect(texts.contains("epoch") && texts.contains("loss"))
        #expect(texts.suffix(2) == ["training", "test"])
        // Tick labels: x's under the plot (y = 350 + 16), y's left of it (x = 70 - 6).
        let xTicks = document.elements("text").filter { $0.number("y") == 366 }.map(\.text)
        let yTicks = document.elements("text").filter { $0.number("x") == 64 }.map(\.text)
        #expect(xTicks == ["1", "2", "3", "4", "5"])
        #expect(yTicks == ["0.5", "1", "1.5", "2", "2.5"])
    }

    @Test func logarithmicAxisLabelsPowersOfTwo() throws {
        let chart = LineChart(title: "SGEMM", xLabel: "n", yLabel: "GFLOP/s",
                              series: [.init(name: "swift", points: [(16, 10), (256, 20), (4096, 40), (0, 5)])],
                              logarithmicX: true)
        let document = try SVGDocument(chart.svg())
        // log2 n from 4 to 12 in integer steps of 2; n = 0 has no logarithm and is skipped.
        let line = Self.pairs(document.elements("polyline").first?.attributes["points"])
        #expect(line.map { $0[0] } == [70, 280, 490])
        #expect(document.elements("text").filter { $0.number("y") == 366 }.map(\.text) == ["16", "64", "256", "1024", "4096"])
    }

    @Test func textIsEscapedAndCharactersXMLForbidsAreReplaced() throws {
        let title = "loss < 1 & \"accuracy\" > 0.9 \u{1}\u{8}\tend"
        let chart = LineChart(title: title, xLabel: "a<b", yLabel: "c&d", series: [.init(name: "x\"y", points: [(0, 0), (1, 1)])])
        let document = try SVGDocument(chart.svg())
        let texts = document.elements("text").map(\.text)
        #expect(texts.first == "loss < 1 & \"accuracy\" > 0.9 \u{FFFD}\u{FFFD}\tend")
        #expect(texts.contains("a<b") && texts.contains("c&d") && texts.last == "x\"y")
    }

    /// A diverging run's loss, 1e20 and more, used to trap when a tick label was rounded
    /// through `Int`; the labels now read back as the tick values.
    @Test func hugeValuesStillDraw() throws {
        let chart = LineChart(title: "diverging", xLabel: "epoch", yLabel: "loss",
                              series: [.init(name: "loss", points: [(1, 1e20), (2, 3e20), (3, 9.3e14 + 0.5)])])
        let document = try SVGDocument(chart.svg())
        Self.expectFiniteCoordinates(document)
        let yTicks = document.elements("text").filter { $0.number("x") == 64 }.compactMap { Double($0.text) }
        // y from 0 (the low end goes to 0 when the data start near it) to 3e20 in steps of 1e20.
        #expect(yTicks == [0, 1e20, 2e20, 3e20])

        let extreme = LineChart(title: "extreme", xLabel: "x", yLabel: "y",
                                series: [.init(name: "y", points: [(0, -1e308), (1, 1e308)])])
        let extremeDocument = try SVGDocument(extreme.svg())
        Self.expectFiniteCoordinates(extremeDocument)
        #expect(extremeDocument.elements("polyline").count == 1)
    }

    @Test func noFinitePointsGiveAnEmptyChart() throws {
        let chart = LineChart(title: "empty", xLabel: "x", yLabel: "y", series: [.init(name: "nan", points: [(1, .nan), (.infinity, 2)])])
        let document = try SVGDocument(chart.svg())
        #expect(document.elements("polyline").isEmpty && document.elements("circle").isEmpty)
        Self.expectFiniteCoordinates(document)
    }
}
