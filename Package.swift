// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "SwiftMLP",
    products: [
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "NeuralNetwork", targets: ["NeuralNetwork"]),
        .library(name: "SVGChart", targets: ["SVGChart"]),
        .executable(name: "mlp", targets: ["mlp"]),
        .executable(name: "mlp-bench", targets: ["MLPBench"]),
    ],
    // MARK: - Traits
    traits: [
        .trait(
            name: "OpenBLAS",
            description: "Compile the OpenBLAS (cblas_sgemm) GEMM backend in. Off: a pure-Swift library."
        ),
        .trait(
            name: "MPI",
            description: "Compile the MPI communicator in (Open MPI): data-parallel training with mlp train --distributed. Off by default."
        ),
        .default(enabledTraits: ["OpenBLAS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        // `make docs`: `swift package generate-documentation` (DocC); no target links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: - System libraries (no Swift API of their own)
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"]), .brew(["openblas"])]
        ),
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"]), .brew(["open-mpi"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),

        // MARK: - C headers (no Swift API of their own)
        .target(name: "CTargetFeatures"),

        // MARK: - Libraries
        .target(
            name: "LinearAlgebra",
            dependencies: [
                "CTargetFeatures",
                .target(name: "COpenBLAS", condition: .when(traits: ["OpenBLAS"])),
            ]
        ),
        .target(
            name: "NeuralNetwork",
            dependencies: [
                "LinearAlgebra",
                "CZlib",
                .target(name: "CMPI", condition: .when(traits: ["MPI"])),
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),

        .target(
            name: "SVGChart",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),

        // MARK: - Executables
        .executableTarget(
            name: "mlp",
            dependencies: [
                "NeuralNetwork",
                "SVGChart",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "MLPBench",
            dependencies: [
                "LinearAlgebra",
                "NeuralNetwork",
                "SVGChart",
                "MallocCounter",
                // Only for `mlp-bench overhead`, which calls cblas_sgemm directly to measure the backend's cost.
                .target(name: "COpenBLAS", condition: .when(traits: ["OpenBLAS"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/MLPBench"
        ),
        // Draws the DocC catalogs' pictures into their Resources folders (`make figures`).
        .executableTarget(
            name: "DocumentationFigures",
            dependencies: ["NeuralNetwork", "SVGChart"]
        ),
        // Counts heap allocations (it defines malloc & co.): linked only by mlp-bench and the NeuralNetwork tests.
        .target(name: "MallocCounter", path: "Benchmarks/MallocCounter"),

        // MARK: - Tests
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(
            name: "NeuralNetworkTests",
            dependencies: ["NeuralNetwork", "LinearAlgebra", "MallocCounter"],
            resources: [.copy("Fixtures")]
        ),
        // The tool's tests run the built `mlp` binary; depending on it makes `swift test` build it first.
        .testTarget(
            name: "MLPToolTests",
            dependencies: ["mlp", "NeuralNetwork"],
            exclude: ["Fixtures"]  // read from the source tree by path: the tool takes file names
        ),
    ]
)
