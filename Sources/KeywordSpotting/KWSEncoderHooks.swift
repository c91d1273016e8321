import NN
import TensorCore

/// Replacements for parts of a ``KWSEncoder``'s pass, for code that rewires it without copying it (the gates of
/// `sepkws compress`). Empty hooks give the ordinary pass.
public struct KWSEncoderHooks {
    /// Applies Transformer layer `index` to `[B, T'', E]` tokens in place of the layer itself: `(index, layer, x) -> y`.
    public var transformerLayer: ((Int, TransformerEncoderLayer, Tensor) -> Tensor)?
    /// Transforms the embedding `[B, D]` after the bottleneck.
    public var embedding: ((Tensor) -> Tensor)?

    /// No replacements.
    public init() {}
}
