import Foundation

/// Three Gaussian blobs in the plane, labels in the first column: a CSV the tests train on.
func blobsCSV(count: Int = 150, seed: UInt64 = 3) -> String {
    var state = seed
    func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    func normal() -> Double { (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform()) }
    let centres = [(-2.0, 0.0), (2.0, 0.0), (0.0, 2.5)]
    var text = "label,x,y\n"
    for i in 0..<count {
        let c = i % 3
        text += "\(c),\(centres[c].0 + 0.5 * normal()),\(centres[c].1 + 0.5 * normal())\n"
    }
    return text
}

/// The rows of a numeric CSV text (no header).
func parseCSV(_ text: String) -> [[Double]] {
    text.split(separator: "\n").map { line in line.split(separator: ",").map { Double($0)! } }
}

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

extension URL {
    func write(_ text: String) throws { try text.write(to: self, atomically: true, encoding: .utf8) }
}
