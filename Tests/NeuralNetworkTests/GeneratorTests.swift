import Testing
@testable import NeuralNetwork

@Suite("SeededGenerator and Initializer")
struct GeneratorTests {
    /// Reference values from an independent Python transcription of SplitMix64 + xoshiro256**.
    @Test func matchesTheReferenceAlgorithm() {
        var g = SeededGenerator(seed: 0)
        #expect(g.state == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F, 0xF88BB8A8724C81EC])
        #expect((0..<3).map { _ in g.next() } == [11091344671253066420, 13793997310169335082, 1900383378846508768])
    }

    @Test func stateCanBeCapturedAndRestored() throws {
        var g = SeededGenerator(seed: 42)
        for _ in 0..<10 { _ = g.next() }
        var copy = try SeededGenerator(state: g.state)
        #expect((0..<5).map { _ in g.next() } == (0..<5).map { _ in copy.next() })
        #expect(throws: SeededGenerator.StateError.allZero) { try SeededGenerator(state: [0, 0, 0, 0]) }
        #expect(throws: SeededGenerator.StateError.wrongWordCount(3)) { try SeededGenerator(state: [1, 2, 3]) }
    }

    @Test func drawsHaveTheRightMoments() {
        var g = SeededGenerator(seed: 7)
        let n = 20000
        let normals = (0..<n).map { _ in g.nextNormal() }
        let mean = normals.reduce(0, +) / Double(n)
        let variance = normals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.04)
        let uniforms = (0..<n).map { _ in g.nextUnitInterval() }
        #expect(uniforms.allSatisfy { $0 >= 0 && $0 < 1 })
        var counts = [Int](repeating: 0, count: 5)
        for _ in 0..<n { counts[g.nextIndex(below: 5)] += 1 }
        #expect(counts.allSatisfy { abs($0 - n / 5) < 300 })
        var order = Array(0..<10)
        g.shuffle(&order)
        #expect(order.sorted() == Array(0..<10) && order != Array(0..<10))
    }

    @Test func initializersHaveTheirScales() throws {
        var g = SeededGenerator(seed: 3)
        func std(_ w: [Float]) -> Double {
            (w.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(w.count)).squareRoot()
        }
        let (fanIn, fanOut, count) = (200, 100, 20000)
        #expect(abs(std(Initializer.normal(standardDeviation: 0.5).weights(count: count, fanIn: fanIn, fanOut: fanOut, using: &g)) - 0.5) < 0.01)
        #expect(abs(std(Initializer.lecunNormal.weights(count: count, fanIn: fanIn, fanOut: fanOut, using: &g)) - (1.0 / 200).squareRoot()) < 0.002)
        #expect(abs(std(Initializer.heNormal.weights(count: count, fanIn: fanIn, fanOut: fanOut, using: &g)) - (2.0 / 200).squareRoot()) < 0.003)
        #expect(abs(std(Initializer.xavierNormal.weights(count: count, fanIn: fanIn, fanOut: fanOut, using: &g)) - (2.0 / 300).squareRoot()) < 0.003)
        let uniform = Initializer.xavierUniform.weights(count: count, fanIn: fanIn, fanOut: fanOut, using: &g)
        let r = Float((6.0 / 300).squareRoot())
        #expect(uniform.allSatisfy { abs($0) <= r } && abs(std(uniform) - Double(r) / 3.0.squareRoot()) < 0.003)
        for name in ["normal:0.01", "lecun-normal", "xavier-uniform", "xavier-normal", "he-normal"] {
            #expect(Initializer(name: name)?.description == name)
        }
        #expect(BiasInitializer(name: "zero") == .zero && BiasInitializer(name: "normal:0.1") == .normal(standardDeviation: 0.1))
        #expect(Initializer(name: "normal:-1") == nil && BiasInitializer(name: "uniform") == nil)
    }

    @Test func aSeedGivesTheSameNetwork() throws {
        let make = { (seed: UInt64) in
            try Network(sizes: [3, 4, 2], hiddenActivation: .relu, outputActivation: .softmax, loss: .crossEntropy,
                        initializer: .heNormal, biasInitializer: .normal(standardDeviation: 0.1), seed: seed)
        }
        #expect(try make(5) == make(5))
        #expect(try make(5) != make(6))
    }
}
