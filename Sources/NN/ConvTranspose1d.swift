import TensorCore

/// 1-D transposed convolution (PyTorch `nn.ConvTranspose1d`; keys `weight [in, out/groups, K]`, `bias [out]`).
///
/// Shapes: `[B, in, T] -> [B, out, (T−1)·stride − 2·padding + dilation·(K−1) + outputPadding + 1]`.
public final class ConvTranspose1d: UnaryLayer {
    /// `[in, out/groups, K]`.
    public let weight: Tensor
    /// `[out]`, or nil.
    public let bias: Tensor?
    /// Upsampling factor.
    public let stride: Int
    /// Frames removed at both ends.
    public let padding: Int
    /// Extra frames at the end.
    public let outputPadding: Int
    /// Spacing between taps.
    public let dilation: Int
    /// Channel groups.
    public let groups: Int
    /// Training flag (unused by this layer).
    public var isTraining = true

    /// A layer with PyTorch's default initialization `U(−1/√(out/groups·K), +)`.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, rng: inout SplitMix64
    ) {
        precondition(inputChannels % groups == 0 && outputChannels % groups == 0, "ConvTranspose1d: \(groups) groups do not divide the channels")
        let bound = 1 / Float(outputChannels / groups * kernelSize).squareRoot()
        weight = Tensor.randomUniform([inputChannels, outputChannels / groups, kernelSize], low: -bound, high: bound, using: &rng, requiresGrad: true)
        self.bias = bias ? Tensor.randomUniform([outputChannels], low: -bound, high: bound, using: &rng, requiresGrad: true) : nil
        self.stride = stride; self.padding = padding; self.outputPadding = outputPadding
        self.dilation = dilation; self.groups = groups
    }

    /// A layer initialized from `seed`.
    public convenience init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, seed: UInt64 = 0
    ) {
        var rng = SplitMix64(seed: seed)
        self.init(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize, stride: stride,
                  padding: padding, outputPadding: outputPadding, dilation: dilation, groups: groups, bias: bias, rng: &rng)
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Applies the transposed convolution: `[B, in, T] -> [B, out, T']`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.convTranspose1d(x, weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                               dilation: dilation, groups: groups)
    }
}
