import TensorCore

/// Batch normalization without affine parameters or running statistics: each feature is standardized over the
/// rows of the batch it is applied to, in training and evaluation alike (PyTorch `nn.BatchNorm1d(C, affine=False,
/// track_running_stats=False)`). No keys. Used inside pretraining heads (SimSiam's projector and predictor), whose
/// outputs are never served. Shapes: `[N, C] -> [N, C]` (`N >= 2`).
public final class BatchStandardization: UnaryLayer {
    /// Added to the variance.
    public let eps: Float
    /// Training flag (unused: batch statistics always).
    public var isTraining = true

    /// A layer adding `eps` to the variance.
    public init(eps: Float = 1e-5) { self.eps = eps }

    /// Standardizes each column: `[N, C] -> [N, C]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[0] >= 2, "BatchStandardization: needs [N >= 2, C], got \(x.shape)")
        let centered = x - x.mean(axis: 0, keepDims: true)
        return centered * (centered.squared().mean(axis: 0, keepDims: true) + eps).rsqrt()
    }
}
