// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "SpiralsApp",
    dependencies: [
        .package(path: "../SwiftMLP"),
    ],
    targets: [
        .executableTarget(
            name: "SpiralsApp",
            dependencies: [.product(name: "NeuralNetwork", package: "SwiftMLP")]
        ),
    ]
)
