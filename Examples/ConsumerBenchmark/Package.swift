// swift-tools-version: 6.1
// An app that depends on SwiftMLP the way its users do: by path (or by URL and version), with
// nothing but a plain `swift build -c release`. Benchmarks/consumer.sh builds it that way and
// with the Makefile's flags, and runs the two side by side.
import PackageDescription

// A dependency by path is known by its folder's name ("SwiftMLP" in a clone of that name): the
// folder two levels up. An app that depends by URL writes `package: "SwiftMLP"`.
let swiftMLP = String(#filePath.split(separator: "/").dropLast(3).last ?? "SwiftMLP")

let package = Package(
    name: "ConsumerBenchmark",
    dependencies: [
        // The default traits (OpenBLAS on). For a pure-Swift build with no system library:
        // .package(path: "../..", traits: []),
        .package(path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "ConsumerBenchmark",
            dependencies: [.product(name: "NeuralNetwork", package: swiftMLP)]
        )
    ]
)
