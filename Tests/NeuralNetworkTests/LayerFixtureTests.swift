import Foundation
import Testing
@testable import NeuralNetwork

/// Networks with BatchNorm, LayerNorm and Dropout against PyTorch (float64), from
/// Fixtures/layers/make_layer_fixtures.py (layout in Fixtures/layers/README.md): outputs, loss and
/// gradients of every step, every tensor after every SGD or Adam step (running statistics
/// included) and the held-out outputs in inference, on every compiled backend, within 1e-4.
@Suite("PyTorch layer fixtures")
struct LayerFixtureTests {
    struct Tensor: Decodable { var shape: [Int]; var values: [Double] }
    struct Module: Decodable {
        var index: Int; var kind: String
        var inputSize: Int?; var outputSize: Int?
        var features: Int?; var eps: Double?; var momentum: Double?
        var p: Double?; var masked: Bool?
    }
    struct OptimizerSpec: Decodable {
        var name: String; var learningRate: Double; var weightDecay: Double
        var beta1: Double?; var beta2: Double?; var epsilon: Double?
    }
    struct Step: Decodable {
        var step: Int; var epoch: Int; var start: Int; var end: Int
        var masks: [String: [[Double]]]; var outputs: [[Double]]; var loss: Double
        var gradients: [String: Tensor]; var after: [String: Tensor]
    }
    struct HeldOut: Decodable { var inputs: [[Double]]; var targets: [[Double]]; var outputs: [[Double]]; var loss: Double }
    struct Fixture: Decodable {
        var `case`: String; var inputSize: Int; var modules: [Module]; var output: String; var loss: String
        var optimizer: OptimizerSpec; var batchSize: Int; var epochs: Int
        var inputs: [[Double]]; var targets: [[Double]]; var trainable: [String]; var zeroGradients: [String]
        var initial: [String: Tensor]; var steps: [Step]; var final: [String: Tensor]; var heldOut: HeldOut
    }

    static let cases = ["batchnorm-sgd", "batchnorm-adam", "batchnorm-binary-adam", "layernorm-sgd", "layernorm-adam",
                        "mixed-sgd", "mixed-adam"]

    static func load(_ name: String) throws -> Fixture {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: directory.appendingPathComponent("layers/layers-\(name).json"))
        return try JSONDecoder().decode(Fixture.self, from: data)
    }

    static func matrix(_ rows: ArraySlice<[Double]>) -> Matrix { Matrix(rows.map { $0.map(Float.init) }) }

    /// Dropout with the fixture's masks: step t (the trainer's update count plus one, which
    /// keys the pass's random numbers) multiplies by mask / (1 - p). A layer kind defined in the
    /// tests: the protocol is open.
    struct SuppliedMaskDropout: Layer {
        let inputSize: Int
        let probability: Float
        /// Per step (from 1), the 0/1 mask of each row.
        let masks: [Int: [[Float]]]
        var outputSize: Int { inputSize }
        var specification: Architecture.LayerSpec { .init(kind: .dropout(probability: probability), inputSize: inputSize, outputSize: inputSize) }
        var tensors: [TensorDeclaration] { [] }
        var values: [[Float]] { [] }
        func replacingValues(_ values: [[Float]]) -> Self { self }
        var scratchWidth: Int { inputSize }
        func forward(_ pass: LayerPass) {
            let count = pass.rows * inputSize
            guard pass.phase == .training else { pass.output.update(from: pass.input, count: count); return }
            let mask = masks[Int(pass.random.step)]!
            for s in 0..<pass.rows {
                for j in 0..<inputSize { pass.scratch[s * inputSize + j] = mask[s][j] / (1 - probability) }
            }
            for i in 0..<count { pass.output[i] = pass.scratch[i] * pass.input[i] }
        }
        func backward(_ pass: LayerPass) {
            guard let g = pass.inputGradient else { return }
            for i in 0..<(pass.rows * inputSize) { g[i] = pass.scratch[i] * pass.outputGradient[i] }
        }
        func referenceForward(_ batch: [[Double]], values: [[Double]], context: ReferenceContext) -> [[Double]] { batch }
    }

    /// The network the modules describe (a Linear is a Dense without activation, the last one
    /// with the output activation) with the fixture's initial tensors, and each module's layer.
    static func network(_ f: Fixture) throws -> (Network, [Int: Int]) {
        var layers: [any Layer] = [], layerOfModule: [Int: Int] = [:]
        var width = f.inputSize
        for (position, module) in f.modules.enumerated() {
            layerOfModule[module.index] = layers.count
            switch module.kind {
            case "linear":
                let isLast = position == f.modules.count - 1
                let activation = isLast ? try #require(Activation(name: f.output)) : .identity
                let inputSize = try #require(module.inputSize), outputSize = try #require(module.outputSize)
                layers.append(Dense(inputSize: inputSize, outputSize: outputSize, activation: activation))
                width = module.outputSize!
            case "batchnorm": layers.append(BatchNorm(size: width))
            case "layernorm": layers.append(LayerNorm(size: width))
            case "relu", "tanh", "sigmoid":
                let activation = try #require(Activation(name: module.kind))
                layers.append(ActivationLayer(size: width, activation: activation))
            case "dropout":
                let p = Float(try #require(module.p))
                if module.masked == true {
                    var masks: [Int: [[Float]]] = [:]
                    for step in f.steps {
                        let mask = try #require(step.masks["layers.\(module.index)"])
                        masks[step.step] = mask.map { $0.map(Float.init) }
                    }
                    layers.append(SuppliedMaskDropout(inputSize: width, probability: p, masks: masks))
                } else {
                    layers.append(Dropout(size: width, probability: p))
                }
            default: Issue.record("unknown module \(module.kind)")
            }
        }
        var network = try Network(layers: layers, loss: try #require(Loss(rawValue: f.loss)))
        #expect(network.moduleIndices == f.modules.map(\.index), "module indices as nn.Sequential's")
        for (name, tensor) in f.initial {
            let (layer, tensorName) = try split(name, layerOfModule)
            try network.setTensor(layer: layer, named: tensorName, shape: tensor.shape, values: tensor.values.map(Float.init))
        }
        return (network, layerOfModule)
    }

    static func split(_ name: String, _ layerOfModule: [Int: Int]) throws -> (layer: Int, tensor: String) {
        let parts = name.split(separator: ".")
        let module = try #require(Int(parts[1]))
        return (try #require(layerOfModule[module]), String(parts[2]))
    }

    /// max |computed - expected| / max |expected| (or the given scale).
    static func error(_ computed: [Float], _ expected: [Double], scale: Double? = nil) -> Double {
        let s = scale ?? max(expected.map(abs).max() ?? 0, 1e-30)
        return zip(computed, expected).map { abs(Double($0) - $1) }.max().map { $0 / s } ?? 0
    }

    func run<O: Optimizer>(_ f: Fixture, optimizer: O, backend: any GEMMBackend) throws -> Double {
        let (network, layerOfModule) = try Self.network(f)
        let trainer = try Trainer(network: network, optimizer: optimizer, backend: backend,
                                  options: TrainingOptions(batchSize: f.batchSize, epochs: f.epochs, shuffle: false))
        var worst = 0.0
        for step in f.steps {
            let x = Self.matrix(f.inputs[step.start..<step.end]), y = Self.matrix(f.targets[step.start..<step.end])
            // Before the update: outputs, loss and gradients of the step's training pass.
            let trace = try trainer.network.backpropagationTrace(inputs: x, targets: y, backend: backend,
                                                                 random: RandomStream(seed: 1, step: UInt64(step.step)))
            var errors = [Self.error(trace.output.elements, step.outputs.flatMap { $0 }),
                          abs(Double(trace.loss) - step.loss) / abs(step.loss)]
            let gradientScale = step.gradients.values.flatMap { $0.values.map(abs) }.max() ?? 1
            for (name, expected) in step.gradients {
                let (layer, tensor) = try Self.split(name, layerOfModule)
                let position = try #require(trainer.network.kinds[layer].tensors.firstIndex { $0.name == tensor })
                errors.append(Self.error(trace.layers[layer].tensorGradients[position], expected.values, scale: gradientScale))
            }
            let loss = try trainer.step(inputs: x, targets: y)
            #expect(loss == trace.loss, "the step's loss is the trace's")
            for (name, expected) in step.after {
                let (layer, tensor) = try Self.split(name, layerOfModule)
                let values = try #require(trainer.network.tensor(layer: layer, named: tensor))
                if tensor == "num_batches_tracked" {
                    #expect(values == expected.values.map(Float.init), "\(name) after step \(step.step)")
                } else {
                    errors.append(Self.error(values, expected.values))
                }
            }
            let stepWorst = errors.max()!
            #expect(stepWorst < 1e-4, "\(f.case) step \(step.step) on \(backend.name): \(errors)")
            worst = max(worst, stepWorst)
        }
        let heldOut = try trainer.network.predict(Self.matrix(f.heldOut.inputs[...]), backend: backend)
        let heldOutError = Self.error(heldOut.elements, f.heldOut.outputs.flatMap { $0 })
        #expect(heldOutError < 1e-4, "\(f.case) held-out outputs in inference on \(backend.name): \(heldOutError)")
        return max(worst, heldOutError)
    }

    @Test("outputs, gradients, parameters and running statistics after SGD and Adam steps agree with PyTorch", arguments: cases)
    func agreesWithPyTorch(name: String) throws {
        let f = try Self.load(name)
        var worst = 0.0
        try compare(f, name: name, worst: &worst)
        print("PyTorch layer fixture \(name): worst relative difference \(worst)")
    }

    func compare(_ f: Fixture, name: String, worst: inout Double) throws {
        for backend in compiledBackends {
            let rate = Float(f.optimizer.learningRate)
            if f.optimizer.name == "adam" {
                let adam = try Adam(learningRate: rate, beta1: Float(f.optimizer.beta1!), beta2: Float(f.optimizer.beta2!),
                                    epsilon: Float(f.optimizer.epsilon!))
                worst = max(worst, try run(f, optimizer: adam, backend: backend))
            } else {
                worst = max(worst, try run(f, optimizer: SGD(learningRate: rate), backend: backend))
            }
        }
    }
}
