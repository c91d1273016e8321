import TensorCore

/// Layers applied in order, keyed `0`, `1`, … like PyTorch `nn.Sequential` (weightless layers keep their
/// index, so `mdl.1.weight` follows an `mdl.0` norm). Shapes: those of the chain.
public final class Sequential: UnaryLayer {
    /// The layers, in application order.
    public let layers: [any UnaryLayer]
    /// Training flag; use ``Layer/setTraining(_:)`` to propagate.
    public var isTraining = true

    /// A chain of layers.
    public init(_ layers: [any UnaryLayer]) { self.layers = layers }

    public var children: [(name: String, layer: any Layer)] {
        layers.enumerated().map { (String($0.offset), $0.element as any Layer) }
    }

    /// Applies every layer in order.
    public func callAsFunction(_ x: Tensor) -> Tensor { layers.reduce(x) { $1($0) } }
}
