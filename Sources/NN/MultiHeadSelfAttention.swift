import TensorCore

/// Multi-head scaled dot-product self-attention (PyTorch `nn.MultiheadAttention(E, H, batch_first: true)`;
/// keys `in_proj_weight [3E, E]`, `in_proj_bias [3E]`, `out_proj.weight [E, E]`, `out_proj.bias [E]`).
///
/// Shapes: `x [B, T, E] -> [B, T, E]`; an optional additive mask `[T, T]` (use `-infinity` to block).
public final class MultiHeadSelfAttention: UnaryLayer {
    /// Model width `E`.
    public let embedDimension: Int
    /// Number of heads `H` (divides `E`).
    public let heads: Int
    /// `[3E, E]`: query, key and value projections stacked.
    public let inProjectionWeight: Tensor
    /// `[3E]`.
    public let inProjectionBias: Tensor
    /// The output projection `E -> E`.
    public let outProjection: Linear
    /// Dropout on the attention weights.
    public let attentionDropout: Dropout
    /// Training flag.
    public var isTraining = true

    /// A layer with Xavier-uniform input projections and zero biases (PyTorch's initialization).
    public init(embedDimension: Int, heads: Int, dropout: Float = 0, rng: inout SplitMix64) {
        precondition(embedDimension % heads == 0, "MultiHeadSelfAttention: \(heads) heads do not divide \(embedDimension)")
        self.embedDimension = embedDimension
        self.heads = heads
        let bound = (6 / Float(embedDimension + 3 * embedDimension)).squareRoot()
        inProjectionWeight = Tensor.randomUniform([3 * embedDimension, embedDimension], low: -bound, high: bound, using: &rng, requiresGrad: true)
        inProjectionBias = Tensor.zeros([3 * embedDimension], requiresGrad: true)
        outProjection = Linear(inputFeatures: embedDimension, outputFeatures: embedDimension, rng: &rng)
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
    public func callAsFunction(_ x: Tensor, mask: Tensor?) -> Tensor {
        precondition(x.rank == 3 && x.shape[2] == embedDimension, "MultiHeadSelfAttention: input must be [B, T, \(embedDimension)], got \(x.shape)")
        let (b, t, e) = (x.shape[0], x.shape[1], embedDimension)
        let d = e / heads
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
        let context = Tensor.matmul(weights, v)                                             // [B·H, T, d]
            .reshaped([b, heads, t, d]).permuted([0, 2, 1, 3]).reshaped([b, t, e])
        return outProjection(context)
    }
}
