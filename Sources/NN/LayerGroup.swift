import TensorCore

/// A layer that only names its children, to reproduce a reference checkpoint's key paths (PyTorch containers
/// such as `nn.Sequential` with weightless members, whose indices leave gaps: `mdl.1`, `mdl.3`).
///
/// Calling it is the caller's business: it has no forward of its own.
public final class LayerGroup: Layer {
    /// The named children, in key order.
    public let named: [(name: String, layer: any Layer)]
    /// Training flag (propagated to the children by ``Layer/setTraining(_:)``).
    public var isTraining = true

    /// A group of `named` children.
    public init(_ named: [(name: String, layer: any Layer)]) { self.named = named }

    public var children: [(name: String, layer: any Layer)] { named }
}
