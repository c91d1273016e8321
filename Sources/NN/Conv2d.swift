import TensorCore

/// 2-D convolution over channels-last feature maps (PyTorch `nn.Conv2d` weights: `weight [out, in, kH, kW]`,
/// `bias [out]`), computed as im2col by strided slices of the padded input and one GEMM (`Tensor.linear`), so its
/// gradient comes from those ops.
///
/// Shapes: `[B, H, W, in] -> [B, H', W', out]`, `H' = (H + 2·padH − kH) / strideH + 1` (and likewise `W'`).
/// For the keyword spotter `H` is time and `W` is mel frequency.
public final class Conv2d: UnaryLayer {
    /// `[out, in, kH, kW]`.
    public let weight: Tensor
    /// `[out]`, or nil.
    public let bias: Tensor?
    /// `(time, frequency)` strides.
    public let stride: (Int, Int)
    /// `(time, frequency)` zero padding on each side.
    public let padding: (Int, Int)
    /// Training flag (unused).
    public var isTraining = true

    /// A layer with PyTorch's default initialization `U(−1/√(in·kH·kW), +)`.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        bias: Bool = true, rng: inout SplitMix64
    ) {
        let fanIn = inputChannels * kernelSize.0 * kernelSize.1
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Tensor.randomUniform([outputChannels, inputChannels, kernelSize.0, kernelSize.1], low: -bound, high: bound, using: &rng, requiresGrad: true)
        self.bias = bias ? Tensor.randomUniform([outputChannels], low: -bound, high: bound, using: &rng, requiresGrad: true) : nil
        self.stride = stride
        self.padding = padding
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Output size along one axis.
    public static func outputLength(_ n: Int, kernel: Int, stride: Int, padding: Int) -> Int { (n + 2 * padding - kernel) / stride + 1 }

    /// Applies the convolution: `[B, H, W, in] -> [B, H', W', out]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let (cout, cin, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        precondition(x.rank == 4 && x.shape[3] == cin, "Conv2d: input must be [B, H, W, \(cin)], got \(x.shape)")
        let ho = Self.outputLength(x.shape[1], kernel: kh, stride: stride.0, padding: padding.0)
        let wo = Self.outputLength(x.shape[2], kernel: kw, stride: stride.1, padding: padding.1)
        var padded = x
        if padding.0 > 0 { padded = padded.padded(axis: 1, before: padding.0, after: padding.0) }
        if padding.1 > 0 { padded = padded.padded(axis: 2, before: padding.1, after: padding.1) }
        var columns: [Tensor] = []
        for i in 0..<kh {
            let rows = padded.sliced(axis: 1, i..<(i + stride.0 * (ho - 1) + 1), step: stride.0)
            for j in 0..<kw {
                columns.append(rows.sliced(axis: 2, j..<(j + stride.1 * (wo - 1) + 1), step: stride.1))   // [B, H', W', in]
            }
        }
        let patches = columns.count == 1
            ? columns[0]
            : Tensor.stacked(columns, axis: 4).reshaped([x.shape[0], ho, wo, cin * kh * kw])   // (in, kH, kW) order
        return Tensor.linear(patches, weight: weight.reshaped([cout, cin * kh * kw]), bias: bias)
    }
}
