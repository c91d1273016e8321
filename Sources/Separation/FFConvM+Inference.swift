import NN
import TensorCore

extension FFConvM {
    /// The gain of this FFConvM's ScaleNorm (attention layers), folded into the GEMM's alpha by the fused path.
    var scaleNormLayer: ScaleNorm {
        guard let scale = norm as? ScaleNorm else { preconditionFailure("FFConvM: expected a ScaleNorm") }
        return scale
    }

    /// The LayerNorm in front of this FFConvM (FSMN blocks).
    var layerNormLayer: LayerNorm {
        guard let layer = norm as? LayerNorm else { preconditionFailure("FFConvM: expected a LayerNorm") }
        return layer
    }

    /// The fused inference FFConvM after its norm: `out = (accumulate ? out : 0) + h + dwconv(h)` with
    /// `h = SiLU(alpha · x · Wᵀ + b)` (``Inference``'s `linearDepthwise`; no allocation).
    ///
    /// Shapes: `x [rows, in]` (row stride `lda`), `hidden` and `out` `[rows, out]`; `taps` holds `[K, out]`.
    func inferNormalized(
        _ x: UnsafePointer<Float>, lda: Int, rows: Int, alpha: Float, taps: UnsafeMutablePointer<Float>,
        hidden: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        let (outFeatures, inFeatures) = (linear.weight.shape[0], linear.weight.shape[1])
        let conv = convModule.conv
        Inference.tapsFirst(conv.weight, into: taps, ld: outFeatures)
        linear.weight.withUnsafeBufferPointer { w in
            (linear.bias ?? linear.weight).withUnsafeBufferPointer { b in
                Inference.linearDepthwise(
                    x, lda: lda, weight: w.baseAddress!, bias: linear.bias == nil ? nil : b.baseAddress!, alpha: alpha,
                    activation: .silu, tapsFirst: taps, taps: conv.weight.shape[2], dilation: conv.dilation, residual: true,
                    accumulate: accumulate, hidden: hidden, into: out, rows: rows, inFeatures: inFeatures,
                    outFeatures: outFeatures)
            }
        }
    }
}
