import Foundation
import NeuralNetwork
import SVGChart

/// How far each compiled fast backend's `Float` products are from the `Double`-accumulating
/// reference as the inner dimension k grows (16 x 16 products of uniform [-1, 1] entries),
/// beside one rounding, 2^-24.
enum GEMMAccuracyFigure {
    static func draw() throws -> [Figure] {
        let ks = (4...14).map { 1 << $0 }
        var generator = SeededGenerator(seed: 12)
        let operands = ks.map { k in
            (Matrix(rows: 16, columns: k, elements: (0..<(16 * k)).map { _ in Float(generator.nextUniform(in: -1, 1)) }),
             Matrix(rows: k, columns: 16, elements: (0..<(16 * k)).map { _ in Float(generator.nextUniform(in: -1, 1)) }))
        }
        let references = operands.map { ReferenceBackend().multiply($0.0, .none, $0.1) }
        var series = try BackendKind.fast.map { kind in
            let backend = try kind.make(threads: 1)
            let points = ks.indices.map { i in
                (x: Double(ks[i]), y: log10(maxRelativeDifference(backend.multiply(operands[i].0, .none, operands[i].1), references[i])))
            }
            return LineChart.Series(name: kind.rawValue, points: points)
        }
        series.append(LineChart.Series(name: "2^-24", points: ks.map { (x: Double($0), y: log10(1 / 16_777_216)) },
                            markers: false))
        let chart = LineChart(title: "GEMM against the Double reference: 16 x k times k x 16", xLabel: "k",
                              yLabel: "log10 largest relative difference", series: series, logarithmicX: true)
        return [Figure(name: "gemm-accuracy.svg", svg: chart.svg())]
    }
}
