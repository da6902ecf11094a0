import RealModule

extension Dataset {
    /// Two interleaved spirals in the plane, one per class: the classic data set that no
    /// linear model separates and a small network with a non-linear activation does.
    ///
    /// Sample i of class c (i in 0..<n, t = i / n) lies at radius r = 0.1 + 0.9 t and angle
    /// theta = 3 pi t + c pi (one and a half turns), plus Gaussian noise of standard
    /// deviation `noise` on each coordinate. Classes alternate sample by sample, so any
    /// prefix (or a validation split off the end) holds both.
    ///
    /// - Parameters:
    ///   - count: total samples (split evenly between the classes; must be even and >= 2).
    ///   - noise: the noise's standard deviation.
    ///   - seed: seeds the noise, so a seed gives the same set everywhere.
    public static func twoSpirals(count: Int = 1000, noise: Double = 0.02, seed: UInt64 = 1) -> Dataset {
        precondition(count >= 2 && count % 2 == 0, "twoSpirals: count must be even and at least 2, got \(count)")
        var generator = SeededGenerator(seed: seed)
        let perClass = count / 2
        var features = [Float](), labels = [Int32]()
        features.reserveCapacity(2 * count)
        labels.reserveCapacity(count)
        for i in 0..<perClass {
            let t = Double(i) / Double(perClass)
            let radius = 0.1 + 0.9 * t
            for c in 0..<2 {
                let theta = 3 * Double.pi * t + Double(c) * Double.pi
                features.append(Float(radius * Double.cos(theta) + noise * generator.nextNormal()))
                features.append(Float(radius * Double.sin(theta) + noise * generator.nextNormal()))
                labels.append(Int32(c))
            }
        }
        return Dataset(checked: count, featureCount: 2, features: .floats(features), targets: .classes(labels, classCount: 2))
    }
}
