import TensorCore

/// The padding of a 1-D convolution.
public enum ConvPadding: Sendable, Equatable {
    /// Explicit zero frames before and after.
    case explicit(left: Int, right: Int)
    /// `dilation·(K−1)/2` on both sides (length-preserving for odd kernels and stride 1).
    case same
}

/// 1-D convolution over time (PyTorch `nn.Conv1d`; keys `weight [out, in/groups, K]`, `bias [out]`).
///
/// Shapes: `[B, in, T] -> [B, out, T']`, `T' = (T + padL + padR − dilation·(K−1) − 1)/stride + 1`.
/// `weightHasTrailingUnitAxis` stores the weight as `[out, in/groups, K, 1]` (the Conv2d-with-(K,1)-kernel
/// form MossFormer2's dilated FSMN checkpoints use).
public final class Conv1d: UnaryLayer {
    /// `[out, in/groups, K]` (or `[out, in/groups, K, 1]`).
    public let weight: Tensor
    /// `[out]`, or nil.
    public let bias: Tensor?
    /// Step between output frames.
    public let stride: Int
    /// Zero padding.
    public let padding: ConvPadding
    /// Spacing between taps.
    public let dilation: Int
    /// Channel groups (`in` for depthwise).
    public let groups: Int
    /// Training flag (unused by this layer).
    public var isTraining = true
    private var tapsFirstCache: Tensor?

    /// A layer with PyTorch's default initialization `U(−1/√(in/groups·K), +)`.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvPadding = .explicit(left: 0, right: 0),
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, weightHasTrailingUnitAxis: Bool = false, rng: inout SplitMix64
    ) {
        precondition(inputChannels % groups == 0 && outputChannels % groups == 0, "Conv1d: \(groups) groups do not divide \(inputChannels) -> \(outputChannels)")
        let fanIn = inputChannels / groups * kernelSize
        let bound = 1 / Float(fanIn).squareRoot()
        var dims = [outputChannels, inputChannels / groups, kernelSize]
        if weightHasTrailingUnitAxis { dims.append(1) }
        weight = Tensor.randomUniform(Shape(dims), low: -bound, high: bound, using: &rng, requiresGrad: true)
        self.bias = bias ? Tensor.randomUniform([outputChannels], low: -bound, high: bound, using: &rng, requiresGrad: true) : nil
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
    }

    /// A layer initialized from `seed`.
    public convenience init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvPadding = .explicit(left: 0, right: 0),
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, weightHasTrailingUnitAxis: Bool = false, seed: UInt64 = 0
    ) {
        var rng = SplitMix64(seed: seed)
        self.init(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize, stride: stride,
                  padding: padding, dilation: dilation, groups: groups, bias: bias,
                  weightHasTrailingUnitAxis: weightHasTrailingUnitAxis, rng: &rng)
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// The kernel size `K`.
    public var kernelSize: Int { weight.shape[2] }

    private var paddingPair: (left: Int, right: Int) {
        switch padding {
        case let .explicit(left, right): return (left, right)
        case .same: let p = dilation * (kernelSize - 1) / 2; return (p, p)
        }
    }

    /// Applies the convolution: `[B, in, T] -> [B, out, T']`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.conv1d(x, weight: weight, bias: bias, stride: stride, padding: paddingPair, dilation: dilation, groups: groups)
    }

    /// Depthwise inference on frames-first data into a preallocated output (no allocation after the first
    /// call): `[B, T, C] -> [B, T, C]`, optionally `x + conv(x)`. Requires a depthwise, stride-1, "same",
    /// bias-free layer with an odd kernel. The taps-first weight copy is made once; call
    /// ``invalidateInferenceCache()`` after changing the weight.
    public func forwardFramesFirst(_ x: Tensor, residual: Bool = false, into out: Tensor) {
        precondition(groups == weight.shape[0] && weight.shape[1] == 1 && stride == 1 && bias == nil && padding == .same,
                     "forwardFramesFirst needs a depthwise, stride-1, same-padded conv without bias")
        if tapsFirstCache == nil { tapsFirstCache = Inference.tapsFirst(weight.rank == 4 ? weight.squeezed(3) : weight) }
        Inference.depthwiseConvFramesFirst(x, tapsFirstWeight: tapsFirstCache!, dilation: dilation, residual: residual, into: out)
    }

    /// Drops the cached taps-first weight used by ``forwardFramesFirst(_:residual:into:)``.
    public func invalidateInferenceCache() { tapsFirstCache = nil }
}
