import TensorCore

/// Per-frame layer normalization over the last axis (PyTorch `nn.LayerNorm(C)`; keys `weight`, `bias` `[C]`).
/// Shapes: `[..., C] -> [..., C]` (frames-first data).
public final class LayerNorm: UnaryLayer {
    /// `[C]` gain, or nil without affine.
    public let weight: Tensor?
    /// `[C]` offset, or nil without affine.
    public let bias: Tensor?
    /// Added to the variance.
    public let eps: Float
    /// Training flag (unused).
    public var isTraining = true

    /// A layer with gain 1 and offset 0.
    public init(features: Int, eps: Float = 1e-5, affine: Bool = true) {
        weight = affine ? Tensor.ones([features], requiresGrad: true) : nil
        bias = affine ? Tensor.zeros([features], requiresGrad: true) : nil
        self.eps = eps
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Normalizes each frame: `[..., C] -> [..., C]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.layerNorm(x, weight: weight, bias: bias, eps: eps) }
}

/// Group normalization (PyTorch `nn.GroupNorm(groups, C)`; keys `weight`, `bias` `[C]`). One group is the
/// global layer norm (gLN) over channels and time. Shapes: `[B, C, T] -> [B, C, T]`.
public final class GroupNorm: UnaryLayer {
    /// Number of channel groups.
    public let groups: Int
    /// `[C]` gain, or nil.
    public let weight: Tensor?
    /// `[C]` offset, or nil.
    public let bias: Tensor?
    /// Added to the variance (MossFormer2 uses 1e-8).
    public let eps: Float
    /// Training flag (unused).
    public var isTraining = true

    /// A layer with gain 1 and offset 0.
    public init(groups: Int, channels: Int, eps: Float = 1e-5, affine: Bool = true) {
        precondition(channels % groups == 0, "GroupNorm: \(groups) groups do not divide \(channels) channels")
        self.groups = groups
        weight = affine ? Tensor.ones([channels], requiresGrad: true) : nil
        bias = affine ? Tensor.zeros([channels], requiresGrad: true) : nil
        self.eps = eps
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Normalizes each group: `[B, C, T] -> [B, C, T]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps)
    }
}

/// Instance normalization with affine parameters and no running statistics (PyTorch
/// `nn.InstanceNorm1d(C, affine: true)`; keys `weight`, `bias` `[C]`). Shapes: `[B, C, T] -> [B, C, T]`.
public final class InstanceNorm: UnaryLayer {
    /// `[C]` gain, or nil.
    public let weight: Tensor?
    /// `[C]` offset, or nil.
    public let bias: Tensor?
    /// Added to the variance.
    public let eps: Float
    /// Training flag (unused).
    public var isTraining = true

    /// A layer with gain 1 and offset 0.
    public init(channels: Int, eps: Float = 1e-5, affine: Bool = true) {
        weight = affine ? Tensor.ones([channels], requiresGrad: true) : nil
        bias = affine ? Tensor.zeros([channels], requiresGrad: true) : nil
        self.eps = eps
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Normalizes each channel over time: `[B, C, T] -> [B, C, T]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.instanceNorm(x, weight: weight, bias: bias, eps: eps) }
}

/// Scale normalization `x / max(‖x‖·C^(−1/2), eps) · g` over the last axis with one scalar gain
/// (FLASH / MossFormer2 `ScaleNorm`; key `g [1]`). Shapes: `[..., C] -> [..., C]`.
public final class ScaleNorm: UnaryLayer {
    /// `[1]` gain (init 1).
    public let gain: Tensor
    /// The clamp on the RMS.
    public let eps: Float
    /// Training flag (unused).
    public var isTraining = true

    /// A layer with gain 1.
    public init(eps: Float = 1e-5) {
        gain = Tensor.ones([1], requiresGrad: true)
        self.eps = eps
    }

    public var localParameters: [(name: String, tensor: Tensor)] { [("g", gain)] }

    /// Normalizes each frame: `[..., C] -> [..., C]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.scaleNorm(x, gain: gain, eps: eps) }
}
