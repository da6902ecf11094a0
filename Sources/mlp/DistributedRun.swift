import NeuralNetwork
#if MPI
import NeuralNetworkMPI
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parts of `mlp train --distributed` that are not training: joining the MPI ranks, rank 0
/// making the network for all, threads per rank, the end-of-run agreement and summary, and the
/// fault injection the tests use. See docs/DISTRIBUTED.md.
///
/// Who does what: every rank reads the data (each needs every sample, since the shuffled order
/// decides which rank takes which); rank 0 alone initialises or loads `--init`, prints, writes
/// `--json`, plots and saves; the others stay silent unless they fail.
enum DistributedRun {
    /// The environment variable that makes one rank die mid-training, for the tests:
    /// `RANK:STEP` kills rank RANK with SIGKILL after its STEP-th step (counted from 1 over the
    /// whole run), as a crash would.
    static let faultVariable = "MLP_DISTRIBUTED_FAULT"

    /// `--allreduce-bucket`'s default in KiB: 1, a bucket per layer, sent as soon as the backward
    /// pass has finished it. Measured across two test hosts, it made the step 2-9 % shorter than
    /// one allreduce after the backward pass at 1 and 10 Gbit/s, and no slower beyond the noise on
    /// one machine (docs/DISTRIBUTED.md, "Bucket size").
    static let defaultBucketKiB = 1
    /// The largest `--allreduce-bucket`: 1 GiB, in KiB.
    static let maximumBucketKiB = 1 << 20

    /// Checks `--allreduce-bucket`: only with `--distributed`, 0 through ``maximumBucketKiB``.
    static func validateBucket(_ kibibytes: Int?, distributed: Bool) throws {
        guard let kibibytes else { return }
        guard distributed else { throw CommandError("--allreduce-bucket applies only with --distributed") }
        guard kibibytes >= 0 && kibibytes <= maximumBucketKiB else {
            throw CommandError("--allreduce-bucket must be a whole number of KiB from 0 (one allreduce after the backward pass) "
                               + "to \(maximumBucketKiB) (1 GiB), got \(kibibytes)")
        }
    }

    /// ``TrainingOptions/allreduceBucketBytes`` for `--allreduce-bucket` (nil: the default; 0: one allreduce).
    static func bucketBytes(kibibytes: Int?) -> Int? {
        let chosen = kibibytes ?? defaultBucketKiB
        return chosen == 0 ? nil : chosen * 1024
    }

    /// The communicator for this run: MPI's world with `--distributed` (each collective waiting
    /// at most `timeout` seconds), one process otherwise.
    static func communicator(distributed: Bool, timeout: Double) throws -> any Communicator {
        guard distributed else { return SingleProcessCommunicator() }
        #if MPI
        return MPICommunicator(timeout: timeout)
        #else
        throw CommandError("--distributed needs an mlp built with MPI: swift build --traits OpenBLAS,MPI (Open MPI: apt-get install libopenmpi-dev openmpi-bin)")
        #endif
    }

    /// Runs `body`; on failure, names the failing rank when there are several (a failing rank
    /// then exits without finalising MPI, and mpirun ends the others).
    static func naming<R>(_ communicator: any Communicator, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error where communicator.size > 1 {
            throw CommandError("rank \(communicator.rank) of \(communicator.size): \(MLP.message(for: error))")
        }
    }

    /// Ends MPI after a successful run.
    static func finish(_ communicator: any Communicator) {
        #if MPI
        (communicator as? MPICommunicator)?.finalize()
        #endif
    }

    /// Rank 0 runs `make` and every rank returns its network: rank 0's, serialised as a
    /// safetensors file (architecture and weights) and broadcast. When `make` fails on rank 0,
    /// it rethrows there and the others stop with an error naming rank 0, instead of waiting.
    static func fromRoot(_ communicator: any Communicator, _ make: () throws -> Network) throws -> Network {
        guard communicator.size > 1 else { return try make() }
        if communicator.isRoot {
            let network: Network
            do { network = try make() } catch {
                _ = communicator.broadcast(bytes: nil)
                throw error
            }
            _ = communicator.broadcast(bytes: network.safeTensors.serialized())
            return network
        }
        guard let bytes = communicator.broadcast(bytes: nil) else {
            throw CommandError("rank 0 could not make the network (see its message)")
        }
        return try Network(safeTensors: SafeTensors(bytes: bytes, fileName: "<rank 0's network>"), fileName: "<rank 0's network>")
    }

    /// The compute options with a thread count shared fairly: without `--threads`, the ranks on
    /// this machine divide its cores (at least one thread each).
    static func compute(_ options: ComputeOptions, _ communicator: any Communicator) -> ComputeOptions {
        guard communicator.size > 1, options.threads == nil else { return options }
        var shared = options
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #if MPI
        let local = MPICommunicator.localSize ?? communicator.size
        #else
        let local = communicator.size
        #endif
        shared.threads = max(1, cores / max(local, 1))
        return shared
    }

    /// ", on N ranks (global batch B split by rank)" for the start line, or nothing.
    static func note(_ communicator: any Communicator, batchSize: Int) -> String {
        communicator.size > 1 ? ", \(communicator.size) ranks sharing each batch of \(batchSize)" : ""
    }

    /// An FNV-1a-style hash of the 32-bit patterns of every value of the parameter arena
    /// (weights, biases, scales, shifts and running statistics), in arena order.
    static func parameterHash(_ network: Network) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in network.arena.values {
            hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// Kills this rank with SIGKILL if ``faultVariable`` asks for it at this step.
    static func injectFault(_ communicator: any Communicator, step: Int) {
        guard let value = getenv(faultVariable) else { return }
        let parts = String(cString: value).split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, parts[0] == communicator.rank, parts[1] == step else { return }
        writeToStandardError("rank \(communicator.rank): killed at step \(step) by \(faultVariable) (fault injection)\n")
        kill(getpid(), SIGKILL)
    }

    /// After training: checks that every rank holds rank 0's weights (a hash of their bits,
    /// broadcast from rank 0: the ranks took identical steps, so any difference is a bug or a
    /// corrupted transfer, and that rank stops with an error), waits until every rank has got
    /// here (a rank that died or stopped never arrives, so mpirun ends the root before it saves
    /// anything), then has rank 0 print
    ///
    ///     distributed: N ranks, S samples/s, communication C% of training time, step T ms,
    ///     lone allreduce A ms, one-float allreduce L us, P parameters (4P bytes per allreduce), S steps,
    ///     K allreduces per step
    ///
    /// where C averages over the ranks their seconds inside collectives during training over their
    /// seconds of training (one more allreduce, of two floats), T is the mean step time, and A is
    /// the mean of 20 allreduces of the step's buffer (P + 3 floats) right after a barrier: the
    /// transfer itself, without the waiting for a slower rank that C includes; L is the same for
    /// allreduces of one float (the network's latency, with nothing to transfer); K is the number of
    /// buckets (`--allreduce-bucket`), 1 when the gradients go in one allreduce after the backward pass.
    static func conclude(training history: TrainingHistory, network: Network, communicator: any Communicator,
                         communicatingBefore: Double, steps: Int, buckets: Int) throws {
        guard !(communicator is SingleProcessCommunicator) else { return }
        let parameterCount = network.parameterCount
        let mine = parameterHash(network)
        var root = mine
        withUnsafeMutableBytes(of: &root) { communicator.broadcast($0, root: 0) }
        guard root == mine else {
            throw CommandError("the weights on this rank differ from rank 0's after training (hash \(mine) vs \(root))")
        }

        let seconds = history.epochs.reduce(0) { $0 + $1.seconds }
        var figures: [Float] = [Float(communicator.secondsCommunicating - communicatingBefore), Float(seconds)]
        figures.withUnsafeMutableBufferPointer { communicator.allreduceSum($0) }

        communicator.barrier()
        let lone = meanAllreduceSeconds(of: parameterCount + 3, communicator: communicator)
        let latency = meanAllreduceSeconds(of: 1, communicator: communicator)

        guard communicator.isRoot, figures[1] > 0, steps > 0 else { return }
        let share = Double(figures[0] / figures[1]) * 100
        let samples = history.epochs.reduce(0) { $0 + $1.samplesPerSecond * $1.seconds }
        writeToStandardError("distributed: \(communicator.size) ranks, \(format(samples / seconds, digits: 1)) samples/s, "
                             + "communication \(format(share, digits: 1))% of training time, "
                             + "step \(format(seconds / Double(steps) * 1000, digits: 3)) ms, "
                             + "lone allreduce \(format(lone * 1000, digits: 3)) ms, "
                             + "one-float allreduce \(format(latency * 1e6, digits: 1)) us, "
                             + "\(parameterCount) parameters (\(4 * parameterCount) bytes per allreduce), \(steps) steps, "
                             + "\(buckets) allreduce\(buckets == 1 ? "" : "s") per step\n")
    }

    /// The mean time of 20 allreduces of `count` floats, started together (the caller's barrier
    /// before the first, this function's after the last).
    private static func meanAllreduceSeconds(of count: Int, communicator: any Communicator) -> Double {
        var buffer = [Float](repeating: 0, count: count)
        let repeats = 20, before = communicator.secondsCommunicating
        buffer.withUnsafeMutableBufferPointer { for _ in 0..<repeats { communicator.allreduceSum($0) } }
        let seconds = (communicator.secondsCommunicating - before) / Double(repeats)
        communicator.barrier()
        return seconds
    }
}
