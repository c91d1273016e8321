// Depthwise convolution over time on frames-first activations `[B, T, C]`, with its gradients: the layout of
// MossFormer2's ConvModule and FSMN memory, so no transposes are needed around the conv.

extension Tensor {
    /// Depthwise 1-D convolution over time with symmetric "same" zero padding (`dilation·(K−1)/2` frames each
    /// side), on frames-first data, optionally with the input added: `y = (residual ? x : 0) + dwconv(x)`.
    ///
    /// Equal to `conv1d(x.transposed(1, 2), weight, padding: same, dilation, groups: C).transposed(1, 2)`
    /// (PyTorch depthwise `Conv1d` weights load unchanged).
    ///
    /// Shapes: `x [B, T, C]`, `weight [C, 1, K]` or `[C, 1, K, 1]` (K odd) -> `[B, T, C]`.
    /// - Parameters:
    ///   - x: the input, frames-first.
    ///   - weight: the depthwise kernel (PyTorch layout).
    ///   - dilation: spacing between taps.
    ///   - residual: add `x` to the result (MossFormer2's `ConvModule`).
    public static func depthwiseConv1dFramesFirst(
        _ x: Tensor, weight: Tensor, dilation: Int = 1, residual: Bool = false
    ) -> Tensor {
        precondition(x.rank == 3, "depthwiseConv1dFramesFirst: input must be [B, T, C], got \(x.shape)")
        let (batch, frames, channels) = (x.shape[0], x.shape[1], x.shape[2])
        precondition((weight.rank == 3 || (weight.rank == 4 && weight.shape[3] == 1)) && weight.shape[0] == channels
                     && weight.shape[1] == 1 && weight.shape[2] % 2 == 1 && dilation >= 1,
                     "depthwiseConv1dFramesFirst: weight \(weight.shape) must be [C, 1, K(odd)] for input \(x.shape)")
        let taps = weight.shape[2]
        let tapsFirst = transposedTaps(weight, taps: taps, channels: channels, reversed: false)
        var values = [Float](unsafeUninitializedCapacity: x.count) { _, n in n = x.count }
        values.withUnsafeMutableBufferPointer { po in
            x.withUnsafeBufferPointer { px in
                tapsFirst.withUnsafeBufferPointer { pw in
                    DepthwiseFramesFirst.forward(x: px.baseAddress!, w: pw.baseAddress!, out: po.baseAddress!, batch: batch,
                                                 frames: frames, channels: channels, taps: taps, dilation: dilation,
                                                 residual: residual)
                }
            }
        }
        let out = Tensor(values, shape: x.shape)
        if Autograd.shouldRecord(x, weight) {
            out.record([x, weight]) { g in
                var dx: Tensor?
                var dw: Tensor?
                g.withUnsafeBufferPointer { pg in
                    if x.requiresGrad {
                        // dx[s] = (residual ? g[s] : 0) + Σ_k w[K−1−k] · g[s + k·dilation − pad]: the same
                        // conv with the taps reversed.
                        let flipped = transposedTaps(weight, taps: taps, channels: channels, reversed: true)
                        var grad = [Float](unsafeUninitializedCapacity: x.count) { _, n in n = x.count }
                        grad.withUnsafeMutableBufferPointer { pd in
                            flipped.withUnsafeBufferPointer { pw in
                                DepthwiseFramesFirst.forward(x: pg.baseAddress!, w: pw.baseAddress!, out: pd.baseAddress!,
                                                             batch: batch, frames: frames, channels: channels, taps: taps,
                                                             dilation: dilation, residual: residual)
                            }
                        }
                        dx = Tensor(grad, shape: x.shape)
                    }
                    if weight.requiresGrad {
                        var grad = [Float](repeating: 0, count: taps * channels)   // [K, C]
                        grad.withUnsafeMutableBufferPointer { pd in
                            x.withUnsafeBufferPointer { px in
                                DepthwiseFramesFirst.weightGradient(
                                    x: px.baseAddress!, dy: pg.baseAddress!, dw: pd.baseAddress!, batch: batch, frames: frames,
                                    channels: channels, taps: taps, dilation: dilation)
                            }
                        }
                        var pytorch = [Float](repeating: 0, count: taps * channels)  // [C, 1, K]
                        for k in 0..<taps { for c in 0..<channels { pytorch[c * taps + k] = grad[k * channels + c] } }
                        dw = Tensor(pytorch, shape: weight.shape)
                    }
                }
                return [dx, dw]
            }
        }
        return out
    }

    /// `[C, 1, K(, 1)] -> [K, C]` values (tap `K−1−k` at row `k` when `reversed`).
    private static func transposedTaps(_ weight: Tensor, taps: Int, channels: Int, reversed: Bool) -> [Float] {
        var out = [Float](repeating: 0, count: taps * channels)
        weight.withUnsafeBufferPointer { pw in
            for c in 0..<channels {
                for k in 0..<taps { out[(reversed ? taps - 1 - k : k) * channels + c] = pw[c * taps + k] }
            }
        }
        return out
    }
}
