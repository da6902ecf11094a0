import ArgumentParser
import Foundation
import LinearAlgebra
#if OpenBLAS
import COpenBLAS
#endif

/// `mlp-bench overhead`: what the OpenBLAS backend costs over calling `cblas_sgemm` directly.
///
/// For each shape (small ones by default, where a fixed cost per call shows most) the same
/// product is made through `OpenBLASBackend.gemm` and through `cblas_sgemm` called from here,
/// timed in alternation; the column is backend time / direct time - 1.
///
/// - On 1 thread both are the same single-threaded OpenBLAS call, and the difference is the
///   backend's own cost: the shape checks, the thread-count check, the dispatch.
/// - On T > 1 threads the direct call uses OpenBLAS's own threads (`openblas_set_num_threads(T)`
///   before it), while the backend cuts the product into T bands on ``GEMMThreadPool`` (see
///   `OpenBLASBackend`): the difference is that of the two ways of threading, negative where
///   the backend's is faster. OpenBLAS's idle workers yield in a loop for a while after a
///   threaded call (its THREAD_TIMEOUT), so each sample of the direct call is followed by
///   ``openBLASSpinPause``, and they do not take a core from the backend's sample after it.
///   Figures on several threads move by 10-20% from run to run here (the pause leaves the cores
///   idle, and the next sample starts on cold ones): compare them within one run.
struct OverheadBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overhead",
        abstract: "Time the OpenBLAS backend against direct cblas_sgemm calls (the backend's own cost).")

    /// The pause after a sample on several threads: measured here with a C program after
    /// 2-thread 512^3 calls, OpenBLAS's workers took 20 ms of CPU in each of the next two 50 ms
    /// windows and nothing after 100 ms.
    static let openBLASSpinPause: Duration = .milliseconds(120)

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
                           ("backend us", .right), ("backend/direct - 1", .right)])
        print("machine at start: \(machineState())")
        for threadCount in threads {
            let backend = try BackendKind.openblas.make(threads: threadCount)
            for shape in shapes {
                let operands = Operands(Product(shape: shape, pair: TransposePair(.none, .transposed)))
                var viaBackend = Matrix(rows: shape.m, columns: shape.n)
                var direct = Matrix(rows: shape.m, columns: shape.n)
                let (m, n, k) = (Int32(shape.m), Int32(shape.n), Int32(shape.k))
                // The same buffer access around both calls, so only the call itself differs.
                let callDirectly = {
                    openblas_set_num_threads(Int32(threadCount))
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
                callBackend()
                callDirectly()
                // One thread: the very same call, bit for bit; several: two ways of cutting the
                // product, whose sums may round apart in the last bits.
                let difference = maxRelativeDifference(viaBackend, direct)
                precondition(threadCount == 1 ? direct == viaBackend : difference < 1e-5,
                             "overhead: the backend and the direct call disagree on \(shape) (\(difference))")
                let pause = threadCount > 1 ? Self.openBLASSpinPause : .zero
                let seconds = interleavedMedianSeconds(
                    budget: .milliseconds(600), samples: 21, pauses: [pause, .zero],
                    [callDirectly, callBackend])
                table.append(["\(shape.m)x\(shape.n)x\(shape.k)", "NT", "\(threadCount)",
                              String(format: "%.3f", seconds[0] * 1e6), String(format: "%.3f", seconds[1] * 1e6),
                              String(format: "%+.1f%%", (seconds[1] / seconds[0] - 1) * 100)])
            }
        }
        print(table.rendered)
        print("machine at end: \(machineState())")
        #else
        throw ValidationError("overhead measures the OpenBLAS backend: build with the OpenBLAS trait")
        #endif
    }
}
