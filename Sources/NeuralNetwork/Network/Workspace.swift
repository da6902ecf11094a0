/// Every buffer one training or inference step needs, allocated once for batches of up to
/// ``capacity`` rows and reused step after step.
///
/// Per layer l (with `rows_l` = rows of W: outputs, or outputs x pieces for Maxout):
///
/// | buffer | shape | holds |
/// |---|---|---|
/// | `preactivations[l]` | capacity x rows_l | Z^l (Nielsen's `zs`) |
/// | `outputs[l]` | capacity x outputSize_l | A^l (Nielsen's `activations`) |
/// | `deltas[l]` | capacity x rows_l | Delta^l, the per-sample error dC_s/dZ^l |
/// | `outputGradients[l]` | capacity x outputSize_l | Maxout only: dC_s/dA^l before the scatter |
/// | `winners[l]` | capacity x outputSize_l | Maxout only: the winning piece per output |
/// | `weightGradients[l]` | rows_l x inputSize_l | dC/dW^l (mean over the batch) |
/// | `biasGradients[l]` | rows_l | dC/db^l (mean over the batch) |
///
/// plus the batch itself (`inputs`, `targets`). A smaller batch (the last one of an epoch)
/// uses the leading rows of the same buffers, so after the first step nothing is allocated.
/// The buffers are raw memory owned by this object and freed with it; a workspace is used by
/// one thread at a time and is therefore not `Sendable`.
public final class Workspace {
    /// The largest batch (rows) the buffers hold.
    public let capacity: Int
    /// The layer shapes the buffers were made for: (inputSize, outputSize, parameterRows, isMaxout).
    let shapes: [(inputSize: Int, outputSize: Int, rows: Int, isMaxout: Bool)]

    let inputs: UnsafeMutablePointer<Float>
    let targets: UnsafeMutablePointer<Float>
    /// Rows of inputs a caller lends for one pass in place of ``inputs`` (see
    /// ``withBorrowedInputs(_:_:)``); nil otherwise.
    private var borrowedInputs: UnsafePointer<Float>?
    /// Where the forward and backward passes read the batch: the lent rows, else ``inputs``.
    var batchInputs: UnsafePointer<Float> { borrowedInputs ?? UnsafePointer(inputs) }
    let preactivations: [UnsafeMutablePointer<Float>]
    let outputs: [UnsafeMutablePointer<Float>]
    let deltas: [UnsafeMutablePointer<Float>]
    let outputGradients: [UnsafeMutablePointer<Float>]
    let winners: [UnsafeMutablePointer<Int32>]
    let weightGradients: [UnsafeMutablePointer<Float>]
    let biasGradients: [UnsafeMutablePointer<Float>]
    /// The thread count of the backend that ran the last forward pass on these buffers: the
    /// elementwise passes that may run in parallel (the optimizer update) use as many threads,
    /// the same ones, so nothing oversubscribes the cores.
    var threads = 1
    private var allocations: [(UnsafeMutableRawPointer)] = []

    /// Buffers for `network` and batches of up to `capacity` rows.
    ///
    /// - Precondition: `capacity >= 1`.
    public init(for network: Network, capacity: Int) {
        precondition(capacity >= 1, "Workspace: capacity must be at least 1, got \(capacity)")
        self.capacity = capacity
        shapes = network.layers.map {
            (inputSize: $0.inputSize, outputSize: $0.outputSize, rows: $0.parameterRows, isMaxout: $0.activation == nil)
        }
        var owned: [UnsafeMutableRawPointer] = []
        func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            owned.append(UnsafeMutableRawPointer(p))
            return p
        }
        func integers(_ count: Int) -> UnsafeMutablePointer<Int32> {
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            owned.append(UnsafeMutableRawPointer(p))
            return p
        }
        inputs = floats(capacity * network.inputSize)
        targets = floats(capacity * network.outputSize)
        preactivations = shapes.map { floats(capacity * $0.rows) }
        outputs = shapes.map { floats(capacity * $0.outputSize) }
        deltas = shapes.map { floats(capacity * $0.rows) }
        outputGradients = shapes.map { floats($0.isMaxout ? capacity * $0.outputSize : 0) }
        winners = shapes.map { integers($0.isMaxout ? capacity * $0.outputSize : 0) }
        weightGradients = shapes.map { floats($0.rows * $0.inputSize) }
        biasGradients = shapes.map { floats($0.rows) }
        allocations = owned
    }

    deinit {
        for p in allocations { p.deallocate() }
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
        rows <= capacity && shapes.count == network.layers.count
            && zip(shapes, network.layers).allSatisfy {
                $0.inputSize == $1.inputSize && $0.outputSize == $1.outputSize && $0.rows == $1.parameterRows
                    && $0.isMaxout == ($1.activation == nil)
            }
    }

    /// The first `rows` rows of a `width`-wide buffer as a matrix (a copy).
    static func matrix(_ p: UnsafePointer<Float>, rows: Int, columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, elements: Array(UnsafeBufferPointer(start: p, count: rows * columns)))
    }
}
