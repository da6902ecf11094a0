/// Every buffer one training or inference step needs, allocated once for batches of up to
/// ``capacity`` rows and reused step after step.
///
/// Per layer l:
///
/// | buffer | shape | holds |
/// |---|---|---|
/// | `outputs[l]` | capacity x outputSize_l | A^l (Nielsen's `activations`) |
/// | `outputGradients[l]` | capacity x outputSize_l | dC_s/dA^l, per sample; the layer may turn it into its Delta in place |
/// | `scratch[l]` | capacity x scratchWidth_l | what the layer keeps from forward for backward (Dense: Z) |
///
/// plus the batch itself (`inputs`, `targets`) and `gradients`, the mean gradients over the
/// batch in the layout of the network's ``ParameterArena``, followed by three floats the
/// `GradientExchange` uses. A smaller batch (the last one of an epoch) uses the leading rows
/// of the same buffers, so after the first step nothing is allocated. The buffers are raw
/// memory owned by this object and freed with it; a workspace is used by one thread at a time
/// and is therefore not `Sendable`.
public final class Workspace {
    /// The largest batch (rows) the buffers hold.
    public let capacity: Int
    /// The layer specifications and arena size the buffers were made for.
    let specifications: [Architecture.LayerSpec]
    let arenaCount: Int

    let inputs: UnsafeMutablePointer<Float>
    let targets: UnsafeMutablePointer<Float>
    /// Rows of inputs a caller lends for one pass in place of ``inputs`` (see
    /// ``withBorrowedInputs(_:_:)``); nil otherwise.
    private var borrowedInputs: UnsafePointer<Float>?
    /// The batch as loaded: the lent rows, else ``inputs``.
    var loadedInputs: UnsafePointer<Float> { borrowedInputs ?? UnsafePointer(inputs) }
    /// The batch standardized by the network's ``Standardizer`` (capacity x inputs), when the
    /// network has one; nil otherwise.
    let standardizedInputs: UnsafeMutablePointer<Float>?
    /// Whether the current forward pass wrote ``standardizedInputs`` (set at its start).
    private var readsStandardizedInputs = false
    /// Where the forward and backward passes read the batch (layer 0's input): its standardized
    /// copy when the network standardizes, else the batch as loaded.
    var batchInputs: UnsafePointer<Float> {
        if readsStandardizedInputs, let standardizedInputs { return UnsafePointer(standardizedInputs) }
        return loadedInputs
    }
    let outputs: [UnsafeMutablePointer<Float>]
    let outputGradients: [UnsafeMutablePointer<Float>]
    let scratch: [UnsafeMutablePointer<Float>]
    /// The gradient arena: dC/dtheta for every tensor at its arena offset, then three floats
    /// for the exchange's totals.
    let gradients: UnsafeMutableBufferPointer<Float>
    /// The thread count of the backend that ran the last forward pass on these buffers: the
    /// elementwise passes that may run in parallel (the optimizer update) use as many threads,
    /// the same ones, so nothing oversubscribes the cores.
    var threads = 1
    private var allocations: [UnsafeMutableRawPointer] = []

    /// Buffers for `network` and batches of up to `capacity` rows.
    ///
    /// - Precondition: `capacity >= 1`.
    public init(for network: Network, capacity: Int) {
        precondition(capacity >= 1, "Workspace: capacity must be at least 1, got \(capacity)")
        self.capacity = capacity
        specifications = network.kinds.map(\.specification)
        arenaCount = network.arena.count
        var owned: [UnsafeMutableRawPointer] = []
        func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            owned.append(UnsafeMutableRawPointer(p))
            return p
        }
        inputs = floats(capacity * network.inputSize)
        standardizedInputs = network.standardizer == nil ? nil : floats(capacity * network.inputSize)
        targets = floats(capacity * network.outputSize)
        outputs = network.kinds.map { floats(capacity * $0.outputSize) }
        outputGradients = network.kinds.map { floats(capacity * $0.outputSize) }
        scratch = network.kinds.map { floats(capacity * $0.scratchWidth) }
        let gradientCount = network.arena.count + GradientExchange.totalsCount
        gradients = UnsafeMutableBufferPointer(start: floats(gradientCount), count: gradientCount)
        allocations = owned
    }

    deinit {
        for p in allocations { p.deallocate() }
    }

    /// Starts a forward pass on the first `rows` rows of the batch: with a standardizer, writes
    /// the standardized rows to ``standardizedInputs``, which the passes then read; without one,
    /// the passes read the batch as loaded.
    ///
    /// - Precondition: the workspace was made for a network with a standardizer when one is given.
    func prepareBatchInputs(_ standardizer: Standardizer?, rows: Int) {
        readsStandardizedInputs = false
        guard let standardizer else { return }
        guard let standardizedInputs else { preconditionFailure("Workspace: made for a network without a standardizer") }
        standardizer.standardize(loadedInputs, rows: rows, into: standardizedInputs)
        readsStandardizedInputs = true
    }

    /// Runs `body` with the passes reading their inputs from `rows` (row-major, the network's
    /// input width) instead of copying them into ``inputs``: a batch that already sits in
    /// memory as floats is not copied again.
    func withBorrowedInputs<R, E: Error>(_ rows: UnsafePointer<Float>, _ body: () throws(E) -> R) throws(E) -> R {
        borrowedInputs = rows
        defer { borrowedInputs = nil }
        return try body()
    }

    /// Runs `body` on a batch held in matrices: `targets` copied into ``targets``, `inputs` read
    /// where they are (``withBorrowedInputs(_:_:)``), so the inputs are never copied.
    func withBatch<R>(_ inputs: Matrix, _ targets: Matrix, _ body: () -> R) -> R {
        targets.withUnsafeBufferPointer { y in
            if let base = y.baseAddress { self.targets.update(from: base, count: y.count) }
        }
        return inputs.withUnsafeBufferPointer { x in
            withBorrowedInputs(x.baseAddress ?? UnsafePointer(self.inputs), body)
        }
    }

    /// Whether these buffers fit `network` and a batch of `rows` rows.
    public func fits(_ network: Network, rows: Int) -> Bool {
        guard rows <= capacity && arenaCount == network.arena.count && specifications.count == network.kinds.count
                && (network.standardizer == nil || standardizedInputs != nil) else { return false }
        // An index loop: `zip` over an array of existentials instantiates tuple metadata on its
        // first use, a heap allocation inside the second training step.
        for l in specifications.indices where specifications[l] != network.kinds[l].specification { return false }
        return true
    }

    /// The first `rows` rows of a `width`-wide buffer as a matrix (a copy).
    static func matrix(_ p: UnsafePointer<Float>, rows: Int, columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, elements: Array(UnsafeBufferPointer(start: p, count: rows * columns)))
    }
}
