@testable import LinearAlgebra
import Testing

/// The worker pool behind the threaded Swift GEMM: part counts that change from one product to
/// the next (a late worker must never run a part of the wrong product), and products that
/// follow each other faster than the workers fall asleep or slower than that.
@Suite struct GEMMThreadPoolTests {
    @Test("every part runs exactly once, whatever the part counts in a row")
    func partsRunOnce() {
        var counts = [Int](repeating: 0, count: 8)
        for round in 0..<2000 {
            let parts = [2, 5, 3, 1, 8, 2, 4][round % 7]
            for i in 0..<counts.count { counts[i] = 0 }
            counts.withUnsafeMutableBufferPointer { buffer in
                GEMMThreadPool.shared.run(parts: parts, job: UnsafeRawPointer(buffer.baseAddress!)) { job, part in
                    // Each part owns its own slot: no two parts write the same memory.
                    UnsafeMutablePointer(mutating: job.assumingMemoryBound(to: Int.self))[part] += 1
                }
            }
            #expect(counts[0..<parts].allSatisfy { $0 == 1 } && counts[parts...].allSatisfy { $0 == 0 }, "round \(round)")
        }
    }

    @Test("threaded products with changing thread counts match the reference, also after the workers slept")
    func productsAcrossThreadCounts() throws {
        for (round, threads) in [2, 3, 1, 4, 2, 3].enumerated() {
            let backend = SwiftBackend(threads: threads, inlineLimit: 0)
            let problem = GEMMProblem(.none, .transposed, m: 37, n: 70, k: 19, alpha: 1, beta: 0, seed: UInt64(round))
            problem.expectAgreement(problem.run(backend), problem.run(ReferenceBackend()), tolerance: problem.tolerance(),
                                    backend: "swift(\(threads) threads)")
            if round == 3 { try idleLongEnough() }
        }
    }

    /// Long enough for the pool's workers to stop spinning and wait on their semaphore.
    func idleLongEnough() throws {
        var spins = 0
        let clock = ContinuousClock(), start = clock.now
        while clock.now - start < .milliseconds(50) { spins &+= 1 }
        _ = spins
    }
}
