import ArgumentParser
import NeuralNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--backend` and `--threads`: where the matrix products run.
struct ComputeOptions: ParsableArguments {
    @Option(help: "GEMM backend (default: $SWIFTMLP_BACKEND, else auto).")
    var backend: BackendKind?

    @Option(parsing: .unconditional, help: "Threads per matrix product (default: the number of online cores).")
    var threads: Int?

    /// The chosen backend kind.
    func kind() throws -> BackendKind {
        if let backend { return backend }
        do { return try BackendKind.fromEnvironment(environment()) } catch { throw CommandError(error.description) }
    }

    /// The most threads `--threads` may ask for: 64, or the number of online cores when there
    /// are more. Beyond the cores, threads only wait for each other (a 200-sample epoch took
    /// 51 s with 10,000 of them); 64 leaves room for experiments on small machines.
    static var maximumThreads: Int { max(64, onlineCores) }

    static var onlineCores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The thread count to use.
    func threadCount() throws -> Int {
        let count = threads ?? Self.onlineCores
        guard count >= 1 else { throw CommandError("--threads must be at least 1, got \(count)") }
        guard count <= Self.maximumThreads else {
            throw CommandError("--threads \(count): at most \(Self.maximumThreads) (64, or the number of cores when there are more)")
        }
        return count
    }

    /// The backend itself. The tool asks for the calibrated crossover table of `mlp-bench
    /// calibrate --save` (used by `auto` only when it was measured with this build's kernel on
    /// this CPU; see `CrossoverTable.load(environment:)`).
    func make() throws -> any GEMMBackend {
        let kind = try kind()
        let crossover = kind == .auto ? CrossoverTable.load() : nil
        do { return try kind.make(threads: threadCount(), crossover: crossover) } catch let error as BackendError { throw CommandError(error.description) }
    }

    private func environment() -> [String: String] {
        var result: [String: String] = [:]
        if let value = getenv("SWIFTMLP_BACKEND") { result["SWIFTMLP_BACKEND"] = String(cString: value) }
        return result
    }
}
