import NN
import TensorCore

/// The reference's `ConvModule`: a residual depthwise convolution over time, `y = x + DWConv(x)` (kernel `k`,
/// zero padding `(k-1)/2`, no bias). Key: `sequential.1.conv.weight [d, 1, k]`.
///
/// Shapes: `[B, S, d] -> [B, S, d]` (frames first).
final class ConvModule: UnaryLayer {
    let conv: Conv1d
    var isTraining = true

    init(channels: Int, kernelSize: Int, rng: inout SplitMix64) {
        conv = Conv1d(
            inputChannels: channels, outputChannels: channels, kernelSize: kernelSize, padding: .same, groups: channels,
            bias: false, rng: &rng)
    }

    var children: [(name: String, layer: any Layer)] {
        [("sequential", LayerGroup([("1", LayerGroup([("conv", conv)]))]))]
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        // Frames-first depthwise conv with the residual fused (no transposes; same values as the channels-first conv).
        Tensor.depthwiseConv1dFramesFirst(x, weight: conv.weight, dilation: conv.dilation, residual: true)
    }
}
