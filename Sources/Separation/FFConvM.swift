import NN
import TensorCore

/// The normalization in front of an ``FFConvM``.
enum FFConvMNorm {
    /// ScaleNorm (attention layers): `x / max(|x|·d^-1/2, 1e-5) · g`.
    case scale
    /// LayerNorm, eps 1e-5 (FSMN blocks).
    case layer
}

/// The reference's `FFConvM`: norm -> Linear -> SiLU -> ConvModule -> Dropout. Keys `mdl.0` (norm), `mdl.1`
/// (linear), `mdl.3.sequential.1.conv` (depthwise conv).
///
/// Shapes: `[B, S, in] -> [B, S, out]`.
final class FFConvM: UnaryLayer {
    let norm: any UnaryLayer
    let linear: Linear
    let convModule: ConvModule
    let dropout: Dropout
    var isTraining = true

    init(inputFeatures: Int, outputFeatures: Int, norm: FFConvMNorm, kernelSize: Int, dropout: Float, rng: inout SplitMix64) {
        self.norm = norm == .scale ? ScaleNorm() : LayerNorm(features: inputFeatures)
        linear = Linear(inputFeatures: inputFeatures, outputFeatures: outputFeatures, rng: &rng)
        convModule = ConvModule(channels: outputFeatures, kernelSize: kernelSize, rng: &rng)
        self.dropout = Dropout(probability: dropout, seed: rng.next())
    }

    var children: [(name: String, layer: any Layer)] {
        [("mdl", LayerGroup([("0", norm), ("1", linear), ("3", convModule), ("4", dropout)]))]
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        if Autograd.isInferenceMode { return inference(x) }
        return dropout(convModule(linear(norm(x)).silu()))
    }

    /// The layer with its Linear's inputs scaled after the norm: `gate [B or 1, 1, in]` (nil: none).
    func callAsFunction(_ x: Tensor, inputGate gate: Tensor?) -> Tensor {
        guard let gate else { return callAsFunction(x) }
        return dropout(convModule(linear(norm(x) * gate).silu()))
    }

    /// The inference path: Linear + bias + SiLU as one GEMM with a fused epilogue, then the depthwise conv with
    /// its residual on frames-first data (``Inference`` kernels; no graph, no dropout).
    private func inference(_ x: Tensor) -> Tensor {
        let normed = norm(x)
        var dims = normed.shape.dims
        dims[dims.count - 1] = linear.weight.shape[0]
        let hidden = Tensor.uninitialized(Shape(dims)), out = Tensor.uninitialized(Shape(dims))
        Inference.linear(normed, weight: linear.weight, bias: linear.bias, activation: .silu, into: hidden)
        // Taps-first weight made per call (C·K floats), so it never goes stale when training updates the weight.
        let conv = convModule.conv
        Inference.depthwiseConvFramesFirst(hidden, tapsFirstWeight: Inference.tapsFirst(conv.weight), dilation: conv.dilation,
                                           residual: true, into: out)
        return out
    }
}
