/// Splits a loop over `0..<count` into contiguous chunks run on the threads of the Swift GEMM
/// (`GEMMThreadPool`), for elementwise passes that should use the same threads as the
/// products around them.
///
/// Chunk `part` of `parts` is `part * count / parts ..< (part + 1) * count / parts`, so with the
/// same `parts` a row-split GEMM wrote the same halves: each thread then updates memory that is
/// already in its own cache. `function(context, start, end)` must be safe to run on the chunks
/// at once (disjoint writes).
public enum ParallelLoop {
    /// A chunk's code: `(context, start, end)`.
    public typealias Chunk = @convention(c) (UnsafeRawPointer, Int, Int) -> Void

    /// Runs `function` over `threads` chunks of `0..<count` (the caller takes one), or over the
    /// whole range on the calling thread when `threads <= 1`.
    public static func run(count: Int, threads: Int, context: UnsafeRawPointer, _ function: Chunk) {
        if threads <= 1 || count < threads {
            function(context, 0, count)
            return
        }
        var job = Job(context: context, function: function, count: count, parts: threads)
        withUnsafePointer(to: &job) { job in
            GEMMThreadPool.shared.run(parts: threads, job: UnsafeRawPointer(job)) { job, part in
                let chunk = job.assumingMemoryBound(to: Job.self).pointee
                chunk.function(chunk.context, part * chunk.count / chunk.parts, (part + 1) * chunk.count / chunk.parts)
            }
        }
    }

    private struct Job {
        let context: UnsafeRawPointer
        let function: Chunk
        let count: Int
        let parts: Int
    }
}
