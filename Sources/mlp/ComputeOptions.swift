import ArgumentParser
import NeuralNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--backend` and `--threads`: where the matrix products run.
struct ComputeOptions: ParsableArguments {
    @Option(help: "GEMM backend: openblas, swift, auto or reference (default: $SWIFTMLP_BACKEND, else auto).")
    var backend: String?

    @Option(parsing: .unconditional, help: "Threads per matrix product (default: the number of online cores).")
    var threads: Int?

    /// The chosen backend kind.
    func kind() throws -> BackendKind {
        if let backend {
            guard let kind = BackendKind(rawValue: backend) else {
                throw CommandError(BackendError.unknown(backend, source: "--backend").description)
            }
            return kind
        }
        do { return try BackendKind.fromEnvironment(environment()) } catch { throw CommandError(error.description) }
    }

    /// The thread count to use.
    func threadCount() throws -> Int {
        let count = threads ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        guard count >= 1 else { throw CommandError("--threads must be at least 1, got \(count)") }
        return count
    }

    /// The backend itself.
    func make() throws -> any GEMMBackend {
        do { return try kind().make(threads: threadCount()) } catch let error as BackendError { throw CommandError(error.description) }
    }

    private func environment() -> [String: String] {
        var result: [String: String] = [:]
        if let value = getenv("SWIFTMLP_BACKEND") { result["SWIFTMLP_BACKEND"] = String(cString: value) }
        return result
    }
}
