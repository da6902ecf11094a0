// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "SwiftMLP",
    products: [
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        // The file formats and `Dataset` alone: reads and writes safetensors, IDX and CSV, links no GEMM.
        .library(name: "MLPData", targets: ["MLPData"]),
        .library(name: "NeuralNetwork", targets: ["NeuralNetwork"]),
        // `MPICommunicator`; has no public API unless the `MPI` trait is on.
        .library(name: "NeuralNetworkMPI", targets: ["NeuralNetworkMPI"]),
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
        // Each library depends only on libraries above it here: MLPData and LinearAlgebra know nothing
        // of each other, NeuralNetwork uses and re-exports both, NeuralNetworkMPI adds MPI to it.
        .target(name: "MLPData", dependencies: ["CZlib"]),
        .target(
            name: "NeuralNetwork",
            dependencies: [
                "LinearAlgebra",
                "MLPData",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        .target(
            name: "NeuralNetworkMPI",
            dependencies: [
                "NeuralNetwork",
                .target(name: "CMPI", condition: .when(traits: ["MPI"])),
            ]
        ),

        // Internal to the package (no product): only the two executables draw with it.
        .target(
            name: "SVGChart",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),

        // MARK: - Executables
        .executableTarget(
            name: "mlp",
            dependencies: [
                "NeuralNetwork",
                .target(name: "NeuralNetworkMPI", condition: .when(traits: ["MPI"])),
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
        // Helpers more than one test target uses (seeded test data, the numpy fixtures' layout).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"]),
        .testTarget(name: "MLPDataTests", dependencies: ["MLPData"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "NeuralNetworkTests",
            dependencies: ["NeuralNetwork", "LinearAlgebra", "MallocCounter", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "SVGChartTests", dependencies: ["SVGChart"]),
        // The tool's tests run the built `mlp` binary; depending on it makes `swift test` build it first.
        .testTarget(
            name: "MLPToolTests",
            dependencies: ["mlp", "NeuralNetwork", "TestSupport"],
            exclude: ["Fixtures"]  // read from the source tree by path: the tool takes file names
        ),
    ]
)
