import NeuralNetwork
import SVGChart

/// `--plot-boundary`: the classes a network predicts over the plane of 2-D data, with the data on top.
struct DecisionBoundary {
    let network: Network
    let data: Dataset
    let backend: any GEMMBackend
    let resolution = 120

    /// The data must have 2 features and class labels.
    static func check(_ data: Dataset) throws {
        guard data.featureCount == 2, data.labels != nil else {
            let targets = data.labels == nil ? " and regression targets" : ""
            throw CommandError("--plot-boundary needs 2-D inputs with class labels; the data has \(data.featureCount) features\(targets)")
        }
    }

    func write(to path: String) throws {
        try Self.check(data)
        let labels = data.labels!
        let points = (0..<data.count).map { i -> (x: Double, y: Double, label: Int) in
            var x = [Float](repeating: 0, count: 2), y = [Float](repeating: 0, count: data.targetWidth)
            data.copyBatch(CollectionOfOne(i), inputs: &x, targets: &y)
            return (Double(x[0]), Double(x[1]), Int(labels[i]))
        }
        let xs = points.map(\.x), ys = points.map(\.y)
        let margin = 0.1 * max((xs.max()! - xs.min()!), (ys.max()! - ys.min()!), 1e-6)
        let xRange = (xs.min()! - margin)...(xs.max()! + margin), yRange = (ys.min()! - margin)...(ys.max()! + margin)
        var grid = Matrix(rows: resolution * resolution, columns: 2)
        for row in 0..<resolution {
            for column in 0..<resolution {
                let centre = DecisionRegionChart.cellCentre(row: row, column: column, resolution: resolution, xRange: xRange, yRange: yRange)
                grid[row * resolution + column, 0] = Float(centre.x)
                grid[row * resolution + column, 1] = Float(centre.y)
            }
        }
        let classes = network.predictedClasses(outputs: try network.predict(grid, backend: backend)).map(Int.init)
        let chart = DecisionRegionChart(title: "Decision regions: \(Architecture(of: network))", xRange: xRange, yRange: yRange,
                                        gridClasses: classes, resolution: resolution, points: points)
        try BinaryFile.writeAtomically(Array(chart.svg().utf8), toPath: path)
        writeToStandardError("wrote \(path)\n")
    }
}
