import ArgumentParser
import Foundation
import LinearAlgebra
#if OpenBLAS
import COpenBLAS
#endif

/// `mlp-bench overhead`: what the OpenBLAS backend costs over calling `cblas_sgemm` directly.
///
/// For each shape (small ones by default, where a fixed cost per call shows most) the same
/// product is made through `OpenBLASBackend.gemm` (shape checks, the thread-count check, the
/// cblas call) and through `cblas_sgemm` called from here, timed in alternation; the overhead
/// is backend time / direct time - 1. Both run with the same OpenBLAS thread count.
struct OverheadBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overhead",
        abstract: "Time the OpenBLAS backend against direct cblas_sgemm calls (the backend's own cost).")

    @Option(help: ArgumentHelp("Shapes m x n x k (default: 8x8x8,16x16x16,32x32x32,32x10x128,128x10x128,32x256x784,128x256x784).", valueName: "MxNxK,..."),
            transform: { try parseList($0, Shape.init) })
    var shapes: [Shape] = [Shape(m: 8, n: 8, k: 8), Shape(m: 16, n: 16, k: 16), Shape(m: 32, n: 32, k: 32),
                           Shape(m: 32, n: 10, k: 128), Shape(m: 128, n: 10, k: 128),
                           Shape(m: 32, n: 256, k: 784), Shape(m: 128, n: 256, k: 784)]

    @Option(help: ArgumentHelp("Thread counts (default: 1,2).", valueName: "t,t,..."), transform: { try parseList($0, Int.init) })
    var threads: [Int] = [1, 2]

    func run() throws {
        #if OpenBLAS
        var table = Table([("shape m x n x k", .left), ("op", .left), ("threads", .right), ("direct us", .right),
                           ("backend us", .right), ("overhead", .right)])
        print("load average at start: \(loadAverage())")
        for threadCount in threads {
            let backend = try BackendKind.openblas.make(threads: threadCount)
            for shape in shapes {
                let operands = Operands(Product(shape: shape, pair: TransposePair(.none, .transposed)))
                var viaBackend = Matrix(rows: shape.m, columns: shape.n)
                var direct = Matrix(rows: shape.m, columns: shape.n)
                // Sets OpenBLAS's thread count as the backend does, so the direct calls use the same.
                operands.multiply(backend, into: &viaBackend)
                let (m, n, k) = (Int32(shape.m), Int32(shape.n), Int32(shape.k))
                // The same buffer access around both calls, so only the call itself differs.
                let callDirectly = {
                    operands.a.withUnsafeBufferPointer { a in
                        operands.b.withUnsafeBufferPointer { b in
                            direct.withUnsafeMutableBufferPointer { c in
                                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1,
                                            a.baseAddress, k, b.baseAddress, k, 0, c.baseAddress, n)
                            }
                        }
                    }
                }
                let callBackend = {
                    operands.a.withUnsafeBufferPointer { a in
                        operands.b.withUnsafeBufferPointer { b in
                            viaBackend.withUnsafeMutableBufferPointer { c in
                                backend.gemm(transA: .none, transB: .transposed, m: shape.m, n: shape.n, k: shape.k, alpha: 1,
                                             a: a.baseAddress, lda: shape.k, b: b.baseAddress, ldb: shape.k,
                                             beta: 0, c: c.baseAddress, ldc: shape.n)
                            }
                        }
                    }
                }
                callDirectly()
                precondition(direct == viaBackend, "overhead: the backend and the direct call disagree on \(shape)")
                let pause = threadCount > 1 ? GEMMBenchmark.openBLASSpinPause : .zero
                let seconds = interleavedMedianSeconds(
                    budget: .milliseconds(600), samples: 21, pauses: [pause, pause],
                    [callDirectly, callBackend])
                table.append(["\(shape.m)x\(shape.n)x\(shape.k)", "NT", "\(threadCount)",
                              String(format: "%.3f", seconds[0] * 1e6), String(format: "%.3f", seconds[1] * 1e6),
                              String(format: "%+.1f%%", (seconds[1] / seconds[0] - 1) * 100)])
            }
        }
        print(table.rendered)
        print("load average at end: \(loadAverage())")
        #else
        throw ValidationError("overhead measures the OpenBLAS backend: build with the OpenBLAS trait")
        #endif
    }
}
