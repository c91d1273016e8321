import NN
import TensorCore

/// Attention soft-pooling (CAB-KWS): every group of `g` consecutive frames becomes one frame, the softmax-weighted
/// sum of its frames with scores `a_j = w·x_j + b`. Leading frames that do not fill a group are dropped, so the
/// last frames (the ones the encoder selects) are always pooled.
///
/// Keys: `score.weight [1, E]`, `score.bias [1]`. Shapes: `[B, T, E] -> [B, ⌊T/g⌋, E]`.
public final class AttentionSoftPooling: UnaryLayer {
    /// Frames per group `g`.
    public let groupSize: Int
    /// The per-frame score.
    public let score: Linear
    /// Training flag.
    public var isTraining = true

    /// A pooling layer over `groupSize` frames of width `features`.
    public init(features: Int, groupSize: Int, rng: inout SplitMix64) {
        self.groupSize = groupSize
        score = Linear(inputFeatures: features, outputFeatures: 1, rng: &rng)
    }

    public var children: [(name: String, layer: any Layer)] { [("score", score)] }

    /// `[B, T, E] -> [B, ⌊T/g⌋, E]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let (b, t, e) = (x.shape[0], x.shape[1], x.shape[2])
        let groups = t / groupSize
        precondition(groups >= 1, "AttentionSoftPooling: \(t) frames do not fill one group of \(groupSize)")
        if groupSize == 1 { return x }
        let kept = t == groups * groupSize ? x : x.sliced(axis: 1, (t - groups * groupSize)..<t)
        let grouped = kept.reshaped([b, groups, groupSize, e])
        let weights = score(grouped).softmax(axis: 2)   // [B, T/g, g, 1]
        return (grouped * weights).sum(axis: 2)
    }
}
