import NeuralNetwork

// Data: two interleaved spirals, 1000 points in two classes; a stratified fifth held out.
let data = Dataset.twoSpirals(count: 1000, seed: 1)
let (training, test) = try data.shuffledSplit(validationFraction: 0.2, seed: 2, stratified: true)

// A network that standardises its inputs with statistics of the training rows only.
var network = try Network(sizes: [2, 32, 32, 2], hiddenActivation: .relu, outputActivation: .softmax,
                          loss: .crossEntropy, seed: 1)
try network.setStandardizer(try Standardizer(fittedTo: training))

// A backend and a trainer.
let backend = try BackendKind.auto.make(threads: 2)
let trainer = try Trainer(network: network, optimizer: try Adam(learningRate: 0.01), backend: backend,
                          options: TrainingOptions(batchSize: 32, epochs: 60))
try trainer.train(on: training, onEpoch: { report in
    if report.epoch % 20 == 0 { print("epoch \(report.epoch): training loss \(report.trainingLoss)") }
})

// Save, load, and predict with what was loaded: the standardizer is in the file, so the
// loaded model takes raw features.
let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "spirals.safetensors"
try trainer.network.save(toFile: path)
let model = try Network(contentsOfFile: path)
let evaluation = try model.evaluate(test, backend: backend)
print("test accuracy \(evaluation.accuracy ?? 0) on \(evaluation.count) held-out points")
let points = Matrix([[0.1, 0.0], [-0.5, 0.3]])
let classes = model.predictedClasses(outputs: try model.predict(points, backend: backend))
print("classes of (0.1, 0) and (-0.5, 0.3): \(classes)")
precondition(model == trainer.network, "the loaded model differs from the one saved")
