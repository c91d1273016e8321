import TensorCore

/// `y = x · Wᵀ + b` over the last axis (PyTorch `nn.Linear`; keys `weight [out, in]`, `bias [out]`).
///
/// Shapes: `[..., in] -> [..., out]` (frames-first `[B, T, C]` activations make it one GEMM).
public final class Linear: UnaryLayer {
    /// `[out, in]`.
    public let weight: Tensor
    /// `[out]`, or nil.
    public let bias: Tensor?
    /// Training flag (unused by this layer).
    public var isTraining = true

    /// A layer with PyTorch's default initialization, `U(−1/√in, 1/√in)` for weight and bias.
    /// - Parameters:
    ///   - inputFeatures: `in`.
    ///   - outputFeatures: `out`.
    ///   - bias: whether to add a bias.
    ///   - rng: the seeded generator.
    public init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true, rng: inout SplitMix64) {
        let bound = 1 / Float(inputFeatures).squareRoot()
        weight = Tensor.randomUniform([outputFeatures, inputFeatures], low: -bound, high: bound, using: &rng, requiresGrad: true)
        self.bias = bias ? Tensor.randomUniform([outputFeatures], low: -bound, high: bound, using: &rng, requiresGrad: true) : nil
    }

    /// A layer initialized from `seed`.
    public convenience init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true, seed: UInt64 = 0) {
        var rng = SplitMix64(seed: seed)
        self.init(inputFeatures: inputFeatures, outputFeatures: outputFeatures, bias: bias, rng: &rng)
    }

    /// A layer around existing tensors (`weight [out, in]`, `bias [out]`).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        self.weight = weight
        self.bias = bias
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Applies the layer: `[..., in] -> [..., out]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.linear(x, weight: weight, bias: bias) }

    /// Inference into a preallocated output with a fused activation: `[..., in] -> [..., out]`, no allocation.
    public func forward(_ x: Tensor, activation: FusedActivation = .identity, into out: Tensor) {
        Inference.linear(x, weight: weight, bias: bias, activation: activation, into: out)
    }
}
