import TensorCore

/// Multi-head scaled dot-product self-attention (PyTorch `nn.MultiheadAttention(E, H, batch_first: true)`;
/// keys `in_proj_weight [3·H·d, E]`, `in_proj_bias [3·H·d]`, `out_proj.weight [E, H·d]`, `out_proj.bias [E]`, with
/// the head width `d = E/H` unless given: a layer whose heads were pruned keeps the head width of its parent).
///
/// Shapes: `x [B, T, E] -> [B, T, E]`; an optional additive mask `[T, T]` (use `-infinity` to block).
public final class MultiHeadSelfAttention: UnaryLayer {
    /// Model width `E`.
    public let embedDimension: Int
    /// Number of heads `H`.
    public let heads: Int
    /// Width of one head `d` (`E/H` by default).
    public let headDimension: Int
    /// `[3·H·d, E]`: query, key and value projections stacked.
    public let inProjectionWeight: Tensor
    /// `[3·H·d]`.
    public let inProjectionBias: Tensor
    /// The output projection `H·d -> E`.
    public let outProjection: Linear
    /// Dropout on the attention weights.
    public let attentionDropout: Dropout
    /// Training flag.
    public var isTraining = true

    /// A layer with Xavier-uniform input projections and zero biases (PyTorch's initialization).
    /// - Parameters:
    ///   - embedDimension: `E`.
    ///   - heads: `H` (divides `E` unless `headDimension` is given).
    ///   - headDimension: `d`, or nil for `E/H`.
    ///   - dropout: on the attention weights.
    ///   - rng: the seeded generator.
    public init(embedDimension: Int, heads: Int, headDimension: Int? = nil, dropout: Float = 0, rng: inout SplitMix64) {
        precondition(headDimension != nil || embedDimension % heads == 0, "MultiHeadSelfAttention: \(heads) heads do not divide \(embedDimension)")
        self.embedDimension = embedDimension
        self.heads = heads
        self.headDimension = headDimension ?? embedDimension / heads
        let inner = heads * self.headDimension
        let bound = (6 / Float(embedDimension + 3 * inner)).squareRoot()
        inProjectionWeight = Tensor.randomUniform([3 * inner, embedDimension], low: -bound, high: bound, using: &rng, requiresGrad: true)
        inProjectionBias = Tensor.zeros([3 * inner], requiresGrad: true)
        outProjection = Linear(inputFeatures: inner, outputFeatures: embedDimension, rng: &rng)
        outProjection.bias?.assign([Float](repeating: 0, count: embedDimension))
        attentionDropout = Dropout(probability: dropout, seed: rng.next())
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        [("in_proj_weight", inProjectionWeight), ("in_proj_bias", inProjectionBias)]
    }

    public var children: [(name: String, layer: any Layer)] { [("out_proj", outProjection)] }

    /// Self-attention without a mask: `[B, T, E] -> [B, T, E]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, mask: nil) }

    /// Self-attention: `[B, T, E] -> [B, T, E]`.
    /// - Parameters:
    ///   - x: `[B, T, E]`.
    ///   - mask: additive `[T, T]` scores mask, or nil.
    ///   - headScales: `[B or 1, H]` factors on each head's output before the output projection (structured-pruning
    ///     gates, `sepkws compress`), or nil.
    public func callAsFunction(_ x: Tensor, mask: Tensor?, headScales: Tensor? = nil) -> Tensor {
        precondition(x.rank == 3 && x.shape[2] == embedDimension, "MultiHeadSelfAttention: input must be [B, T, \(embedDimension)], got \(x.shape)")
        let (b, t, d) = (x.shape[0], x.shape[1], headDimension)
        let qkv = Tensor.linear(x, weight: inProjectionWeight, bias: inProjectionBias).chunked(3, axis: -1)
        func headsFirst(_ y: Tensor) -> Tensor {
            y.reshaped([b, t, heads, d]).permuted([0, 2, 1, 3]).reshaped([b * heads, t, d])
        }
        let (q, k, v) = (headsFirst(qkv[0]), headsFirst(qkv[1]), headsFirst(qkv[2]))
        var scores = Tensor.matmul(q, k, transposeB: true) * (1 / Float(d).squareRoot())   // [B·H, T, T]
        if let mask {
            precondition(mask.shape == [t, t], "MultiHeadSelfAttention: mask must be [\(t), \(t)], got \(mask.shape)")
            scores = scores + mask
        }
        attentionDropout.isTraining = isTraining
        let weights = attentionDropout(scores.softmax(axis: -1))
        var context = Tensor.matmul(weights, v).reshaped([b, heads, t, d])                 // [B, H, T, d]
        if let headScales {
            precondition(headScales.rank == 2 && headScales.shape[1] == heads && [1, b].contains(headScales.shape[0]),
                         "MultiHeadSelfAttention: head scales must be [1 or \(b), \(heads)], got \(headScales.shape)")
            context = context * headScales.reshaped([headScales.shape[0], heads, 1, 1])
        }
        return outProjection(context.permuted([0, 2, 1, 3]).reshaped([b, t, heads * d]))
    }
}
