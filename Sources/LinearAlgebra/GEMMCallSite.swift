/// Where in a computation a GEMM is called: a layer and the product's role there.
///
/// Backends ignore it except ``CheckingBackend``, which keeps its statistics per call site so
/// that a disagreement can be traced to, say, "layer 2, weight gradient".
public struct GEMMCallSite: Hashable, Sendable, CustomStringConvertible {
    /// Index of the layer, or -1 when the call belongs to no layer.
    public var layer: Int
    /// What the product computes, for example `"forward"` or `"weight gradient"`.
    public var product: String

    public init(layer: Int, product: String) {
        self.layer = layer
        self.product = product
    }

    /// A call that names no site.
    public static let unlabelled = GEMMCallSite(layer: -1, product: "gemm")

    public var description: String { layer < 0 ? product : "layer \(layer) \(product)" }
}
