import NN
import TensorCore

/// One "compressed convolution" block of the encoder: `relu(GroupNorm(conv3x3/2(x))) + conv1x1/2(x)`, halving
/// time and frequency (the residual path is a strided 1x1 projection because the shape changes).
///
/// Keys: `conv.weight [C, in, 3, 3]`, `norm.weight/bias [C]`, `shortcut.weight [C, in, 1, 1]`.
/// Shapes: `[B, T, M, in] -> [B, ⌈T/2⌉, ⌈M/2⌉, C]` (channels last).
public final class ConvolutionBlock: UnaryLayer {
    /// The 3x3 stride-2 convolution.
    public let conv: Conv2d
    /// GroupNorm over channels and the whole map.
    public let norm: GroupNorm
    /// The strided 1x1 projection of the residual path.
    public let shortcut: Conv2d
    /// Training flag.
    public var isTraining = true

    /// A block from `inputChannels` to `channels`.
    public init(inputChannels: Int, channels: Int, groups: Int, rng: inout SplitMix64) {
        conv = Conv2d(inputChannels: inputChannels, outputChannels: channels, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), bias: false, rng: &rng)
        norm = GroupNorm(groups: groups, channels: channels)
        shortcut = Conv2d(inputChannels: inputChannels, outputChannels: channels, kernelSize: (1, 1), stride: (2, 2), bias: false, rng: &rng)
    }

    public var children: [(name: String, layer: any Layer)] { [("conv", conv), ("norm", norm), ("shortcut", shortcut)] }

    /// `[B, T, M, in] -> [B, T', M', C]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = conv(x).permuted([0, 3, 1, 2])                 // [B, C, T', M'] for GroupNorm
        let normalized = norm(y).relu().permuted([0, 2, 3, 1])  // [B, T', M', C]
        return normalized + shortcut(x)
    }
}
