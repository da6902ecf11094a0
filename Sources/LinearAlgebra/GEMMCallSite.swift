/// Where in a computation a GEMM is called: a layer and the product's role there.
///
/// Backends ignore it except ``CheckingBackend``, which keeps its statistics per call site so
/// that a disagreement can be traced to, say, "layer 2, weight gradient".
public struct GEMMCallSite: Hashable, Sendable, CustomStringConvertible {
    /// The role of a product in a layer's passes (batch rows in A, Delta; W stored `[out, in]`).
    public enum Product: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// The forward product Z = A W^T.
        case forward = "forward"
        /// The weight gradient dC/dW = Delta^T A.
        case weightGradient = "weight gradient"
        /// The error propagated to the layer below, Delta W.
        case propagatedError = "propagated error"
        /// A product outside any layer's passes.
        case unlabelled = "gemm"

        public var description: String { rawValue }
    }

    /// Index of the layer, or -1 when the call belongs to no layer.
    public var layer: Int
    /// What the product computes.
    public var product: Product

    public init(layer: Int, product: Product) {
        self.layer = layer
        self.product = product
    }

    /// A call that names no site.
    public static let unlabelled = GEMMCallSite(layer: -1, product: .unlabelled)

    /// `layer 2 weight gradient`, or the product alone outside a layer.
    public var description: String { layer < 0 ? product.description : "layer \(layer) \(product)" }
}
