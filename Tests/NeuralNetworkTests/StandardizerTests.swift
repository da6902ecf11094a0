import Foundation
import Testing
@testable import NeuralNetwork

/// Standardizer against numpy (Fixtures/standardizer, made by make_standardizer_fixture.py and
/// checked there against scikit-learn's StandardScaler), and a network that standardizes its
/// inputs against one that is given inputs standardized by hand.
@Suite("Standardizer")
struct StandardizerTests {
    struct Fixture: Decodable {
        var train: [[Double]]
        var test: [[Double]]
        var mean: [Double]
        var scale: [Double]
        var standardizedTest: [[Double]]
    }

    static func fixture() throws -> Fixture {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: directory.appendingPathComponent("standardizer/standardizer.json"))
        return try JSONDecoder().decode(Fixture.self, from: data)
    }

    static func matrix(_ rows: [[Double]]) -> Matrix { Matrix(rows.map { $0.map(Float.init) }) }

    @Test func fitMatchesNumpyAndScikitLearn() throws {
        let f = try Self.fixture()
        let standardizer = try Standardizer(fittedTo: Self.matrix(f.train))
        #expect(standardizer.featureCount == 6)
        // The statistics are stored as Float: each within one Float ulp of numpy's float64 value.
        for j in 0..<6 {
            let mean = standardizer.mean[j], scale = standardizer.scale[j]
            #expect(abs(Double(mean) - f.mean[j]) <= Double(mean.ulp), "mean \(j): \(mean) vs \(f.mean[j])")
            #expect(abs(Double(scale) - f.scale[j]) <= Double(scale.ulp), "scale \(j): \(scale) vs \(f.scale[j])")
        }
        #expect(standardizer.scale[2] == 1, "a constant feature has scale 1")

        // (x - mean) / scale in Float: off from float64 by the roundings of x - mean (Float
        // mean, half an ulp each) and of the quotient.
        let standardized = try standardizer.standardized(Self.matrix(f.test))
        for i in 0..<f.test.count {
            for j in 0..<6 {
                let x = Float(f.test[i][j]), reference = f.standardizedTest[i][j]
                let bound = Double(standardizer.mean[j].ulp + x.ulp) / Double(standardizer.scale[j]) + 1e-6 * abs(reference)
                #expect(abs(Double(standardized[i, j]) - reference) <= bound,
                        "row \(i) feature \(j): \(standardized[i, j]) vs \(reference)")
            }
        }
        #expect((0..<f.test.count).allSatisfy { standardized[$0, 2] == 0 })
    }

    @Test func fitsOnlyTheGivenSamplesAndEveryStorage() throws {
        let f = try Self.fixture()
        let data = try Dataset(features: Self.matrix(f.train), labels: [Int32](repeating: 0, count: f.train.count), classCount: 1)
        let firstHalf = try Standardizer(fittedTo: data, samples: 0..<20)
        #expect(firstHalf == (try Standardizer(fittedTo: Self.matrix(Array(f.train[0..<20])))))
        #expect(firstHalf != (try Standardizer(fittedTo: data)))

        // Bytes are fitted as the network sees them: times their scale.
        let bytes: [UInt8] = [0, 255, 10, 20, 30, 40, 50, 60]
        let imageLike = try Dataset(count: 4, featureCount: 2, features: .bytes(bytes, scale: 1 / 255),
                                    targets: .values([], width: 0))
        #expect(try Standardizer(fittedTo: imageLike) == Standardizer(fittedTo: imageLike.featureMatrix))
        // Column 0 is 0, 10, 30, 50 (/255): mean 22.5/255, population std sqrt(368.75)/255.
        let fitted = try Standardizer(fittedTo: imageLike)
        #expect(abs(Double(fitted.mean[0]) - 22.5 / 255) < 1e-7)
        #expect(abs(Double(fitted.scale[0]) - 368.75.squareRoot() / 255) < 1e-7)
    }

    @Test func badInputIsATypedError() throws {
        #expect(throws: DatasetError.noSamples) { try Standardizer(fittedTo: Matrix(rows: 0, columns: 3)) }
        #expect(throws: DatasetError.featureCount(expected: 2, got: 1)) { try Standardizer(mean: [0, 0], scale: [1]) }
        #expect(throws: DatasetError.invalidStatistic(what: "scale", feature: 1, value: 0)) {
            try Standardizer(mean: [0, 0], scale: [1, 0])
        }
        #expect(throws: DatasetError.invalidStatistic(what: "mean", feature: 0, value: .infinity)) {
            try Standardizer(mean: [.infinity], scale: [1])
        }
        // A feature holding infinity has no finite mean.
        #expect(throws: DatasetError.self) { try Standardizer(fittedTo: Matrix([[1, .infinity], [2, 3]])) }
        let standardizer = try Standardizer(mean: [1, 2], scale: [3, 4])
        #expect(throws: DatasetError.featureCount(expected: 2, got: 3)) { try standardizer.standardized(Matrix(rows: 1, columns: 3)) }
        #expect(DatasetError.invalidStatistic(what: "scale", feature: 1, value: 0).description
                == "standardizer: scale of feature 1 is 0.0; expected a finite number > 0")
    }

    // MARK: A network with a standardizer

    static func standardizedNetwork(seed: UInt64 = 11) throws -> (network: Network, raw: Matrix, standardizer: Standardizer) {
        var network = try Network(sizes: [4, 6, 3], hiddenActivation: .tanh, outputActivation: .softmax, loss: .crossEntropy,
                                  initializer: .normal(standardDeviation: 0.7), biasInitializer: .normal(standardDeviation: 0.2), seed: seed)
        // Raw features far from standardized: offsets and spreads of several sizes.
        let base = randomMatrix(rows: 37, columns: 4, seed: 5)
        let offsets: [Float] = [100, -3, 0.5, 2000], spreads: [Float] = [20, 0.01, 1, 300]
        let raw = Matrix(rows: 37, columns: 4, elements: base.elements.enumerated().map { k, v in offsets[k % 4] + spreads[k % 4] * v })
        let standardizer = try Standardizer(fittedTo: raw)
        try network.setStandardizer(standardizer)
        return (network, raw, standardizer)
    }

    /// The same network without its standardizer.
    static func withoutStandardizer(_ network: Network) throws -> Network {
        var plain = network
        try plain.setStandardizer(nil)
        return plain
    }

    @Test func inferenceEqualsStandardizingByHand() throws {
        let (network, raw, standardizer) = try Self.standardizedNetwork()
        let plain = try Self.withoutStandardizer(network)
        let byHand = try standardizer.standardized(raw)
        let labels = (0..<37).map { Int32($0 % 3) }
        // The same batches give the same numbers bit for bit (a batch size may choose another GEMM path).
        for backend in compiledBackends {
            for batchSize in [1, 5, 256] {
                #expect(try network.predict(raw, backend: backend, batchSize: batchSize) == plain.predict(byHand, backend: backend, batchSize: batchSize),
                        "\(backend.name) batch \(batchSize)")
            }
            let rawSet = try Dataset(features: raw, labels: labels), byHandSet = try Dataset(features: byHand, labels: labels)
            #expect(try network.outputs(for: rawSet, backend: backend, batchSize: 8) == plain.predict(byHand, backend: backend, batchSize: 8))
            #expect(try network.evaluate(rawSet, batchSize: 8, backend: backend) == plain.evaluate(byHandSet, batchSize: 8, backend: backend))
            #expect(try network.predictedClasses(for: rawSet, backend: backend)
                    == plain.predictedClasses(outputs: plain.predict(byHand, backend: backend)))
        }
        // And against the independent Double forward pass, which standardizes in Double.
        let reference = GradientCheck.outputs(network, inputs: raw)
        #expect(relativeDifference(try network.predict(raw, backend: ReferenceBackend()).elements, reference.flatMap { $0 }) < 1e-5)
        // Without it the outputs differ: the standardizer is really applied.
        #expect(try plain.predict(raw, backend: ReferenceBackend()) != network.predict(raw, backend: ReferenceBackend()))
    }

    @Test func backpropagationSeesStandardizedInputs() throws {
        let (network, raw, _) = try Self.standardizedNetwork()
        let x = Matrix(rows: 6, columns: 4, elements: Array(raw.elements[0..<24]))
        let y = oneHotTargets(rows: 6, classes: 3, seed: 9)
        for backend in compiledBackends {
            let report = try GradientCheck.check(network, inputs: x, targets: y, backend: backend)
            #expect(report.worst < 1e-4, "\(backend.name): \(report)")
        }
    }

    @Test func trainingOnRawDataEqualsTrainingOnStandardizedData() throws {
        let (network, raw, standardizer) = try Self.standardizedNetwork()
        let labels = (0..<37).map { Int32(($0 * 7) % 3) }
        let options = TrainingOptions(batchSize: 8, epochs: 3, seed: 4, validationFraction: 0.2)
        let backend = ReferenceBackend()
        let trainer = try Trainer(network: network, optimizer: Adam(learningRate: 0.01), backend: backend, options: options)
        let history = try trainer.train(on: Dataset(features: raw, labels: labels))
        let plainTrainer = try Trainer(network: try Self.withoutStandardizer(network), optimizer: Adam(learningRate: 0.01),
                                       backend: backend, options: options)
        let plainHistory = try plainTrainer.train(on: Dataset(features: try standardizer.standardized(raw), labels: labels))
        #expect(trainer.network.arena == plainTrainer.network.arena)
        #expect(trainer.network.standardizer == standardizer)
        #expect(history.epochs.map(\.trainingLoss) == plainHistory.epochs.map(\.trainingLoss))
        #expect(history.epochs.map(\.validation) == plainHistory.epochs.map(\.validation))
        #expect(trainer.network.arena != network.arena, "training changed the weights")
    }

    @Test func savedAndLoadedWithTheModel() throws {
        let (network, raw, standardizer) = try Self.standardizedNetwork()
        let file = network.safeTensors
        #expect(file.tensors["standardizer.mean"] == SafeTensors.Tensor(shape: [4], values: standardizer.mean))
        #expect(file.tensors["standardizer.scale"] == SafeTensors.Tensor(shape: [4], values: standardizer.scale))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("standardizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.safetensors").path
        try network.save(toFile: path)
        let loaded = try Network(contentsOfFile: path)
        #expect(loaded == network)
        #expect(loaded.standardizer == standardizer)
        let byHand = try Self.withoutStandardizer(network).predict(try standardizer.standardized(raw), backend: ReferenceBackend())
        #expect(try loaded.predict(raw, backend: ReferenceBackend()) == byHand)

        // A model without one writes no such tensors and loads without one.
        let plain = try Self.withoutStandardizer(network)
        #expect(plain.safeTensors.tensors.keys.allSatisfy { $0.hasPrefix("layers.") })
        #expect(try Network(safeTensors: plain.safeTensors, fileName: "plain").standardizer == nil)
    }

    @Test func badStandardizerTensorsAreNamed() throws {
        let (network, _, _) = try Self.standardizedNetwork()
        func loading(_ change: (inout [String: SafeTensors.Tensor]) -> Void) -> ModelFileError? {
            var file = network.safeTensors
            change(&file.tensors)
            do { _ = try Network(safeTensors: file, fileName: "m.st"); return nil } catch { return error }
        }
        #expect(loading { $0["standardizer.scale"] = nil } == ModelFileError.missingTensor(file: "m.st", name: "standardizer.scale"))
        #expect(loading { $0["standardizer.mean"] = SafeTensors.Tensor(shape: [3], values: [0, 0, 0]) }
                == ModelFileError.tensorShape(file: "m.st", name: "standardizer.mean", expected: [4], got: [3]))
        #expect(loading { $0["standardizer.scale"] = SafeTensors.Tensor(shape: [4], values: [1, 1, -1, 1]) }
                == ModelFileError.standardizer(file: "m.st", error: .invalidStatistic(what: "scale", feature: 2, value: -1)))
        #expect(loading { $0["standardizer.variance"] = SafeTensors.Tensor(shape: [4], values: [1, 1, 1, 1]) }
                == ModelFileError.unexpectedTensor(file: "m.st", name: "standardizer.variance"))
        var other = network
        let twoFeatures = try Standardizer(mean: [0, 0], scale: [1, 1])
        #expect(throws: NetworkError.dataShape(what: "standardizer", expected: 4, got: 2)) { try other.setStandardizer(twoFeatures) }
        #expect(other.standardizer == network.standardizer, "a refused standardizer changes nothing")
    }
}
