#if MPI
import CMPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ranks of `MPI_COMM_WORLD` (Open MPI), for programs started by `mpirun -np N`; the only
/// file that imports `CMPI`, compiled only with the package trait `MPI`.
///
/// Collectives, with P floats of gradient per step:
/// - ``allreduceSum(_:)``: `MPI_Allreduce(MPI_IN_PLACE, x, P, MPI_FLOAT, MPI_SUM, world)`. Open
///   MPI picks the algorithm; a ring allreduce sends and receives 2 (N - 1)/N x P x 4 bytes
///   per rank, under 2 x P x 4 bytes whatever N.
/// - ``broadcast(_:root:)``: `MPI_Bcast(buffer, bytes, MPI_BYTE, root, world)`.
///
/// Errors: the world communicator keeps MPI's default handler, `MPI_ERRORS_ARE_FATAL`, set
/// again explicitly here: a failed call, or a peer that died (mpirun then tears the job down),
/// ends every rank with a message from MPI rather than leaving some waiting forever. So the
/// methods return no errors.
///
/// A peer that stops answering without dying (its host's network gone) would keep the others in a
/// collective for as long as TCP takes to give up; with a `timeout`, each collective that waits
/// longer ends this rank with a clear error instead (`CollectiveWatchdog`).
///
/// A process initialises MPI once: make one communicator, and call ``finalize()`` at the end of
/// a successful run (a process that exits without it is reported by mpirun as failed, which is
/// what a rank that stops on an error should look like).
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    /// Seconds blocked in collectives (for started allreduces, in the wait only).
    public private(set) var secondsCommunicating: Double = 0
    private let world: MPI_Comm
    private var watchdog: CollectiveWatchdog?
    /// The allreduces started and not yet waited for (capacity kept: starting allocates nothing
    /// once a step has run).
    private var requests: [MPI_Request?] = []

    /// Initialises MPI (`MPI_Init`, unless already done) and joins `MPI_COMM_WORLD`.
    ///
    /// - Parameter timeout: seconds one collective may wait for the other ranks before this rank
    ///   stops with an error (status 1); nil waits for as long as MPI does. A collective includes
    ///   the waiting for a slower rank, so allow for the longest pause a rank makes between two
    ///   of them (rank 0's evaluation and saving at the end of an epoch).
    public init(timeout: Double? = nil) {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 { MPI_Init(nil, nil) }
        world = swiftmlp_mpi_comm_world()
        MPI_Comm_set_errhandler(world, swiftmlp_mpi_errors_are_fatal())
        var rank: Int32 = 0, size: Int32 = 1
        MPI_Comm_rank(world, &rank)
        MPI_Comm_size(world, &size)
        self.rank = Int(rank)
        self.size = Int(size)
        if let timeout, size > 1 {
            watchdog = CollectiveWatchdog(
                seconds: timeout,
                message: "Error: rank \(rank) of \(size): no answer from the other ranks within \(timeout) s "
                    + "(a host or its network is gone); stopping without saving")
        }
    }

    /// Whether this process was started by an MPI launcher (Open MPI's `mpirun` sets
    /// `OMPI_COMM_WORLD_SIZE`; MPICH's and Slurm's set `PMI_SIZE`).
    public static var isLaunchedByMPI: Bool {
        getenv("OMPI_COMM_WORLD_SIZE") != nil || getenv("PMI_SIZE") != nil
    }

    /// The ranks on this machine (`OMPI_COMM_WORLD_LOCAL_SIZE`), or nil when unknown: they share
    /// its cores.
    public static var localSize: Int? {
        getenv("OMPI_COMM_WORLD_LOCAL_SIZE").flatMap { Int(String(cString: $0)) }
    }

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, let base = buffer.baseAddress else { return }
        timed { MPI_Allreduce(swiftmlp_mpi_in_place(), base, Int32(buffer.count), swiftmlp_mpi_float(), swiftmlp_mpi_sum(), world) }
    }

    /// `MPI_Iallreduce(MPI_IN_PLACE, x, count, MPI_FLOAT, MPI_SUM, world, &request)`.
    public func startAllreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, let base = buffer.baseAddress else { return }
        var request: MPI_Request? = swiftmlp_mpi_request_null()
        let status = MPI_Iallreduce(swiftmlp_mpi_in_place(), base, Int32(buffer.count), swiftmlp_mpi_float(), swiftmlp_mpi_sum(),
                                    world, &request)
        precondition(status == swiftmlp_mpi_success(), "MPICommunicator: MPI_Iallreduce failed with code \(status)")
        requests.append(request)
    }

    /// `MPI_Testall` on the started allreduces (finished ones become `MPI_REQUEST_NULL`).
    public func progressAllreduces() {
        guard !requests.isEmpty else { return }
        var done: Int32 = 0
        MPI_Testall(Int32(requests.count), &requests, &done, swiftmlp_mpi_statuses_ignore())
    }

    /// `MPI_Waitall` on the started allreduces, under the deadline. Only the time blocked here
    /// counts in ``secondsCommunicating``: what ran behind the backward pass was hidden.
    public func waitForAllreduces() {
        guard !requests.isEmpty else { return }
        timed { MPI_Waitall(Int32(requests.count), &requests, swiftmlp_mpi_statuses_ignore()) }
        requests.removeAll(keepingCapacity: true)
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
        precondition(root >= 0 && root < size, "MPICommunicator: root \(root) outside 0..<\(size)")
        guard size > 1, let base = buffer.baseAddress, !buffer.isEmpty else { return }
        precondition(buffer.count <= Int(Int32.max), "MPICommunicator: broadcast of \(buffer.count) bytes")
        timed { MPI_Bcast(base, Int32(buffer.count), swiftmlp_mpi_byte(), Int32(root), world) }
    }

    public func barrier() {
        guard size > 1 else { return }
        timed { MPI_Barrier(world) }
    }

    /// Ends MPI (`MPI_Finalize`) after a successful run; no collective may follow.
    public func finalize() {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }

    /// Runs one MPI call, adding its wall-clock time to ``secondsCommunicating``.
    private func timed(_ call: () -> Int32) {
        let started = MPI_Wtime()
        let status = watchdog.map { $0.guarding(call) } ?? call()
        secondsCommunicating += MPI_Wtime() - started
        // Unreachable under MPI_ERRORS_ARE_FATAL; kept so a changed handler cannot go unnoticed.
        precondition(status == swiftmlp_mpi_success(), "MPICommunicator: MPI call failed with code \(status)")
    }
}
#endif
