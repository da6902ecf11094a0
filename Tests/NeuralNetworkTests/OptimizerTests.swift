import Testing
@testable import NeuralNetwork

@Suite("Optimizers")
struct OptimizerTests {
    /// AdamW with PyTorch's defaults: Adam with decoupled weight decay 0.01.
    static func adamW(learningRate: Float = Adam.defaultLearningRate) throws -> Adam {
        try Adam(learningRate: learningRate, weightDecay: Adam.defaultDecoupledWeightDecay, decoupledWeightDecay: true)
    }

    /// Every rule `mlp train --optimizer` offers, simplest first (sgd, momentum, nesterov,
    /// rmsprop, adam, adamw), with the given learning rate and weight decay.
    static func everyRule(learningRate: Float, weightDecay: Float) throws -> [any Optimizer] {
        [try SGD(learningRate: learningRate, weightDecay: weightDecay),
         try Momentum(learningRate: learningRate, weightDecay: weightDecay),
         try Momentum(learningRate: learningRate, weightDecay: weightDecay, nesterov: true),
         try RMSProp(learningRate: learningRate, weightDecay: weightDecay),
         try Adam(learningRate: learningRate, weightDecay: weightDecay),
         try Adam(learningRate: learningRate, weightDecay: weightDecay, decoupledWeightDecay: true)]
    }

    static func step<O: Optimizer>(_ o: O, gradient: Float = 0.5, parameter: Float = 1, state: O.State = .zero, t: Int = 1,
                                   decay: Bool = true) -> (Float, O.State) {
        o.update(gradient: gradient, parameter: parameter, state: state,
                 step: OptimizationStep(learningRate: o.learningRate, count: t, weightDecayApplies: decay))
    }

    /// One step from w = 1 with g = 0.5 and eta = 0.1, against numbers worked out by hand.
    @Test func oneStepAgainstHandComputedNumbers() throws {
        #expect(Self.step(try SGD(learningRate: 0.1)).0 == 0.95)                      // 1 - 0.1 * 0.5
        #expect(abs(Self.step(try SGD(learningRate: 0.1, weightDecay: 0.1)).0 - 0.94) < 1e-7)  // g + 0.1 w = 0.6
        #expect(Self.step(try SGD(learningRate: 0.1, weightDecay: 0.1), decay: false).0 == 0.95)  // biases: no decay

        let momentum = try Momentum(learningRate: 0.1, momentum: 0.9)
        let (w1, s1) = Self.step(momentum)                                          // v = 0.5, w = 0.95
        #expect(w1 == 0.95 && s1.velocity == 0.5)
        let (w2, s2) = Self.step(momentum, parameter: w1, state: s1, t: 2)          // v = 0.45 + 0.5, w = 0.95 - 0.095
        #expect(abs(w2 - 0.855) < 1e-7 && abs(s2.velocity - 0.95) < 1e-7)

        let (wn, sn) = Self.step(try Momentum(learningRate: 0.1, momentum: 0.9, nesterov: true))    // v = 0.5, w = 1 - 0.1 (0.5 + 0.45)
        #expect(abs(wn - 0.905) < 1e-7 && sn.velocity == 0.5)

        let (wr, sr) = Self.step(try RMSProp(learningRate: 0.1, decay: 0.9, epsilon: 1e-8))
        // s = 0.1 * 0.25 = 0.025, w = 1 - 0.1 * 0.5 / sqrt(0.025) = 1 - 0.316227766
        #expect(abs(sr.meanSquare - 0.025) < 1e-8 && abs(wr - 0.683772234) < 1e-6)

        let (wa, sa) = Self.step(try Adam(learningRate: 0.1))
        // m = 0.05, v = 0.00025; m^ = 0.5, v^ = 0.25; w = 1 - 0.1 * 0.5 / 0.5
        #expect(abs(sa.mean - 0.05) < 1e-7 && abs(sa.variance / 0.00025 - 1) < 1e-4 /* 1 - beta2 is inexact in Float */ && abs(wa - 0.9) < 1e-6)
        // Second step with the same gradient: m = 0.095, v = 0.00049975; m^ = 0.5, v^ = 0.25: again -0.1.
        let (wa2, _) = Self.step(try Adam(learningRate: 0.1), parameter: wa, state: sa, t: 2)
        #expect(abs(wa2 - 0.8) < 1e-6)

        // AdamW: decay first, w (1 - eta lambda) = 0.999, then the Adam step -0.1.
        #expect(abs(Self.step(try Self.adamW(learningRate: 0.1)).0 - 0.899) < 1e-6)
        #expect(abs(Self.step(try Self.adamW(learningRate: 0.1), decay: false).0 - 0.9) < 1e-6)
        // Adam with L2 decay: g = 0.5 + 0.01 = 0.51, and the first step is still -eta (m^ / sqrt(v^) = 1).
        #expect(abs(Self.step(try Adam(learningRate: 0.1, weightDecay: 0.01)).0 - 0.9) < 1e-6)
    }

    @Test func preparedAndUnpreparedStepsAgree() throws {
        for adam in [try Adam(learningRate: 0.01, weightDecay: 0.1), try Self.adamW(learningRate: 0.01)] {
            func check<O: Optimizer>(_ o: O) {
                var prepared = OptimizationStep(learningRate: 0.01, count: 7)
                o.prepare(&prepared)
                #expect(prepared.biasCorrections != nil)
                let state = O.State(from: [0.3, 0.02], index: 0, stride: 1)
                let a = o.update(gradient: 0.4, parameter: 1.5, state: state, step: prepared)
                let b = o.update(gradient: 0.4, parameter: 1.5, state: state, step: OptimizationStep(learningRate: 0.01, count: 7))
                #expect(a.parameter == b.parameter)
            }
            check(adam)
        }
    }

    @Test func hyperparametersAreValidated() {
        #expect(throws: OptimizerError.invalidHyperparameter(name: "learningRate", value: -0.1, expected: "a finite number >= 0")) {
            try SGD(learningRate: -0.1)
        }
        #expect(throws: OptimizerError.self) { try SGD(learningRate: .nan) }
        #expect(throws: OptimizerError.self) { try Adam(learningRate: .infinity) }
        #expect(throws: OptimizerError.self) { try Momentum(momentum: 1) }
        #expect(throws: OptimizerError.self) { try Adam(beta2: -0.1) }
        #expect(throws: OptimizerError.self) { try RMSProp(epsilon: 0) }
        #expect(throws: OptimizerError.self) { try Adam(weightDecay: -1, decoupledWeightDecay: true) }
        #expect(throws: OptimizerError.self) { try Momentum(weightDecay: .nan, nesterov: true) }
    }

    /// Fits y = 2x - 0.5 with a 1-1 identity network and each rule (cosine-annealed learning
    /// rate, so the adaptive rules settle instead of hovering).
    @Test(arguments: 0..<6)
    func fitsALine(rule: Int) throws {
        let xs = (0..<20).map { Float($0) / 10 - 1 }
        let dataset = regressionDataset(Matrix(rows: 20, columns: 1, elements: xs), Matrix(rows: 20, columns: 1, elements: xs.map { 2 * $0 - 0.5 }))
        let rates: [Float] = [0.3, 0.1, 0.1, 0.05, 0.1, 0.1]
        let optimizer = try Self.everyRule(learningRate: rates[rule], weightDecay: 0)[rule]
        let network = try Network(sizes: [1, 1], hiddenActivation: .identity, outputActivation: .identity, loss: .quadratic, seed: 1)
        func fit<O: Optimizer>(_ optimizer: O) throws -> Network {
            let trainer = try Trainer(network: network, optimizer: optimizer, backend: ReferenceBackend(),
                                      options: TrainingOptions(batchSize: 20, epochs: 300, shuffle: false, schedule: .cosine(epochs: 300)))
            try trainer.train(on: dataset)
            return trainer.network
        }
        let fitted = try fit(optimizer)
        let (w, b) = try fitted.parameters(layer: 0)
        #expect(abs(w[0, 0] - 2) < 0.01 && abs(b[0] + 0.5) < 0.01, "\(optimizer): m = \(w[0, 0]), b = \(b[0])")
    }

    @Test func memoryIsPlainArraysAndRestores() throws {
        let network = try Network(sizes: [2, 3, 1], hiddenActivation: .tanh, outputActivation: .identity, loss: .quadratic, seed: 1)
        let adam = try Adam(learningRate: 0.01)
        let x = randomMatrix(rows: 8, columns: 2, seed: 1), y = randomMatrix(rows: 8, columns: 1, seed: 2)
        let trainer = try Trainer(network: network, optimizer: adam, backend: ReferenceBackend())
        for _ in 0..<3 { try trainer.step(inputs: x, targets: y) }
        #expect(trainer.memory.slotNames == ["mean", "variance"] && trainer.memory.step == 3)
        #expect(trainer.memory.tensors.map(\.count) == [2 * 6, 2 * 3, 2 * 3, 2 * 1])
        // Resume from a copy of network and memory: the next steps agree exactly.
        let resumed = try Trainer(network: trainer.network, optimizer: adam, backend: ReferenceBackend())
        resumed.memory = try OptimizerMemory(for: adam, network: trainer.network, step: trainer.memory.step, tensors: trainer.memory.tensors)
        try trainer.step(inputs: x, targets: y)
        try resumed.step(inputs: x, targets: y)
        #expect(trainer.network == resumed.network)
        #expect(throws: NetworkError.self) { try OptimizerMemory(for: adam, network: network, step: 1, tensors: [[1]]) }
    }

    @Test func schedules() {
        #expect(LearningRateSchedule.constant.learningRate(base: 0.1, epoch: 7) == 0.1)
        #expect(abs(LearningRateSchedule.stepDecay(factor: 0.5, everyEpochs: 2).learningRate(base: 0.1, epoch: 5) - 0.025) < 1e-8)
        let cosine = LearningRateSchedule.cosine(epochs: 10, minimum: 0.01)
        #expect(cosine.learningRate(base: 0.1, epoch: 0) == 0.1)
        #expect(abs(cosine.learningRate(base: 0.1, epoch: 5) - 0.055) < 1e-7)
        #expect(abs(cosine.learningRate(base: 0.1, epoch: 10) - 0.01) < 1e-8 && abs(cosine.learningRate(base: 0.1, epoch: 12) - 0.01) < 1e-8)
        for schedule in [LearningRateSchedule.constant, .stepDecay(factor: 0.5, everyEpochs: 3), .cosine(epochs: 20), cosine] {
            #expect(LearningRateSchedule(name: schedule.description) == schedule)
        }
        #expect(LearningRateSchedule(name: "step:0.5") == nil && LearningRateSchedule(name: "cosine:0") == nil)
    }
}
