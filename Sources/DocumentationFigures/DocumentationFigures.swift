import Foundation
import NeuralNetwork
import SVGChart

/// `swift run DocumentationFigures [ROOT]` (`make figures`): draws the pictures of the DocC
/// catalogs with the package's own networks and charts, and writes them as SVG files into the
/// catalogs' `Resources` folders under ROOT (default: the current folder).
///
/// Every figure is computed, not drawn by hand: the activations by ``Activation``, the networks
/// by ``Network`` and ``Trainer`` on the reference backend (so the pictures are the same on
/// every machine), the GEMM errors by the compiled backends against the reference.
@main
enum DocumentationFigures {
    static func main() throws {
        let root = CommandLine.arguments.dropFirst().first ?? FileManager.default.currentDirectoryPath
        let neuralNetwork = root + "/Sources/NeuralNetwork/NeuralNetwork.docc/Resources"
        let linearAlgebra = root + "/Sources/LinearAlgebra/LinearAlgebra.docc/Resources"
        var figures: [(folder: String, figure: Figure)] = []
        figures += try PerceptronFigures.draw().map { (neuralNetwork, $0) }
        figures += ActivationFigures.draw().map { (neuralNetwork, $0) }
        figures += try UniversalApproximationFigure.draw().map { (neuralNetwork, $0) }
        figures += try GradientDescentFigures.draw().map { (neuralNetwork, $0) }
        figures += try BackpropagationFigure.draw().map { (neuralNetwork, $0) }
        figures += try GradientCheckFigure.draw().map { (neuralNetwork, $0) }
        figures += try SpiralsFigure.draw().map { (neuralNetwork, $0) }
        figures += try GEMMAccuracyFigure.draw().map { (linearAlgebra, $0) }
        for (folder, figure) in figures {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = folder + "/" + figure.name
            try figure.svg.write(toFile: path, atomically: true, encoding: .utf8)
            print("wrote \(path)")
        }
    }
}

/// One picture: its file name in the catalog's resources and its SVG text.
struct Figure {
    var name: String
    var svg: String
}

/// `count` points from `low` to `high` inclusive, evenly spaced.
func grid(from low: Double, to high: Double, count: Int) -> [Double] {
    (0..<count).map { low + (high - low) * Double($0) / Double(count - 1) }
}
