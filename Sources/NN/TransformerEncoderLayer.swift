import TensorCore

/// A Transformer encoder layer (PyTorch `nn.TransformerEncoderLayer(batch_first: true)`; keys `self_attn.*`,
/// `linear1.*`, `linear2.*`, `norm1.*`, `norm2.*`).
///
/// Post-norm (default): `x = norm1(x + SA(x)); x = norm2(x + FF(x))`; pre-norm (`normFirst`):
/// `x = x + SA(norm1(x)); x = x + FF(norm2(x))`, with `FF = linear2(dropout(act(linear1(·))))`.
/// Shapes: `[B, T, E] -> [B, T, E]`.
public final class TransformerEncoderLayer: UnaryLayer {
    /// Self-attention.
    public let selfAttention: MultiHeadSelfAttention
    /// `E -> F`.
    public let linear1: Linear
    /// `F -> E`.
    public let linear2: Linear
    /// Norm around attention.
    public let norm1: LayerNorm
    /// Norm around the feed-forward network.
    public let norm2: LayerNorm
    /// Feed-forward activation.
    public let activation: ActivationKind
    /// Pre-norm instead of post-norm.
    public let normFirst: Bool
    private let dropoutFF: Dropout, dropout1: Dropout, dropout2: Dropout
    /// Training flag; use ``Layer/setTraining(_:)`` to propagate.
    public var isTraining = true

    /// A layer with PyTorch's default initialization.
    /// - Parameters:
    ///   - modelDimension: `E`.
    ///   - heads: attention heads.
    ///   - headDimension: the width of one head, or nil for `E/heads`.
    ///   - feedForwardDimension: `F`.
    ///   - dropout: dropout probability on attention weights and residual branches.
    ///   - activation: feed-forward activation (PyTorch default ReLU).
    ///   - normFirst: pre-norm.
    ///   - eps: LayerNorm epsilon.
    ///   - rng: the seeded generator.
    public init(
        modelDimension: Int, heads: Int, headDimension: Int? = nil, feedForwardDimension: Int, dropout: Float = 0.1, activation: ActivationKind = .relu,
        normFirst: Bool = false, eps: Float = 1e-5, rng: inout SplitMix64
    ) {
        selfAttention = MultiHeadSelfAttention(embedDimension: modelDimension, heads: heads, headDimension: headDimension, dropout: dropout, rng: &rng)
        linear1 = Linear(inputFeatures: modelDimension, outputFeatures: feedForwardDimension, rng: &rng)
        linear2 = Linear(inputFeatures: feedForwardDimension, outputFeatures: modelDimension, rng: &rng)
        norm1 = LayerNorm(features: modelDimension, eps: eps)
        norm2 = LayerNorm(features: modelDimension, eps: eps)
        self.activation = activation
        self.normFirst = normFirst
        dropoutFF = Dropout(probability: dropout, seed: rng.next())
        dropout1 = Dropout(probability: dropout, seed: rng.next())
        dropout2 = Dropout(probability: dropout, seed: rng.next())
    }

    public var children: [(name: String, layer: any Layer)] {
        [("self_attn", selfAttention), ("linear1", linear1), ("linear2", linear2), ("norm1", norm1), ("norm2", norm2),
         ("dropout", dropoutFF), ("dropout1", dropout1), ("dropout2", dropout2)]
    }

    /// Applies the layer: `[B, T, E] -> [B, T, E]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, mask: nil) }

    /// Applies the layer with an additive attention mask `[T, T]`.
    public func callAsFunction(_ x: Tensor, mask: Tensor?) -> Tensor {
        func feedForward(_ y: Tensor) -> Tensor { linear2(dropoutFF(activation.apply(linear1(y)))) }
        if normFirst {
            let h = x + dropout1(selfAttention(norm1(x), mask: mask))
            return h + dropout2(feedForward(norm2(h)))
        }
        let h = norm1(x + dropout1(selfAttention(x, mask: mask)))
        return norm2(h + dropout2(feedForward(h)))
    }
}
