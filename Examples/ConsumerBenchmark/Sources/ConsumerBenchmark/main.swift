// What an app that links SwiftMLP gets, per backend: the standard network's (784-256-128-10,
// ReLU, softmax + cross-entropy, SGD) training step at batch 128, inference samples/s at batch
// 1024 and inference latency at batch 1, 8 and 64 (median of single calls), at the thread
// count of the first argument (default 2). Random inputs: the timings do not depend on them.
// One line per figure, `figure backend value`, for Benchmarks/consumer.sh to put side by side.
import Foundation
import NeuralNetwork

let threads = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2
let network = try Network(sizes: [784, 256, 128, 10], hiddenActivation: .relu, outputActivation: .softmax,
                          loss: .crossEntropy, initializer: .heNormal, seed: 1)
func randomMatrix(rows: Int, columns: Int) -> Matrix {
    var matrix = Matrix(rows: rows, columns: columns)
    matrix.withUnsafeMutableBufferPointer { x in
        for i in x.indices { x[i] = Float.random(in: 0...1) }
    }
    return matrix
}

func oneHot(rows: Int, classes: Int) -> Matrix {
    var matrix = Matrix(rows: rows, columns: classes)
    matrix.withUnsafeMutableBufferPointer { y in
        for i in 0..<rows { y[i * classes + Int.random(in: 0..<classes)] = 1 }
    }
    return matrix
}

/// Median seconds of `work` over `count` timed calls after `count / 10` untimed ones.
func medianSeconds(_ count: Int, _ work: () -> Void) -> Double {
    let clock = ContinuousClock()
    for _ in 0..<max(1, count / 10) { work() }
    let times = (0..<count).map { _ in clock.measure(work) }.map { duration -> Double in
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }.sorted()
    return times[times.count / 2]
}

let kinds = BackendKind.fast + [.auto]
let batch = randomMatrix(rows: 128, columns: 784)
let targets = oneHot(rows: 128, classes: 10)
print("kernel \(GEMMKernelKind.compiled) threads \(threads)")
for kind in kinds {
    let backend = try kind.make(threads: threads)
    let trainer = try Trainer(network: network, optimizer: SGD(learningRate: 0.1), backend: backend,
                              options: TrainingOptions(batchSize: 128, epochs: 1))
    let step = medianSeconds(200) { _ = try? trainer.step(inputs: batch, targets: targets) }
    print("step-us-128 \(kind) \(String(format: "%.1f", step * 1e6))")
    for rows in [1, 8, 64, 1024] {
        let inputs = randomMatrix(rows: rows, columns: 784)
        let workspace = Workspace(for: network, capacity: rows)
        var outputs = Matrix(rows: rows, columns: 10)
        let seconds = medianSeconds(rows >= 1024 ? 100 : 1000) {
            try? network.predict(inputs, into: &outputs, workspace: workspace, backend: backend)
        }
        if rows == 1024 {
            print("infer-samples-per-s-1024 \(kind) \(String(format: "%.0f", Double(rows) / seconds))")
        } else {
            print("latency-us-\(rows) \(kind) \(String(format: "%.1f", seconds * 1e6))")
        }
    }
}
