import TensorCore

/// The MossFormer2 FFConvM hot path in inference mode: `Linear -> SiLU -> (x + depthwise conv_k(x))`,
/// frames-first, into preallocated buffers (allocates nothing per call after construction): one fused call that
/// convolves each GEMM tile while it is in cache (``Inference``'s `linearDepthwise`).
///
/// Shapes: input `[T, in]`, hidden and output `[T, out]`; weights `[out, in]`, `[out]`, depthwise `[out, 1, K]`.
package final class FeedForwardConvBlock {
    /// The Linear weight `[out, in]`.
    package let weight: Tensor
    /// The Linear bias `[out]`.
    package let bias: Tensor
    /// The depthwise weight rearranged taps-first `[K, out]`.
    package let tapsFirst: Tensor
    /// The preallocated Linear+SiLU output `[T, out]`.
    package let hidden: Tensor
    /// The preallocated block output `[T, out]`.
    package let output: Tensor

    /// A block with seeded random weights for `frames` frames.
    package init(frames: Int, inFeatures: Int, outFeatures: Int, kernel: Int = 17, seed: UInt64 = 1) {
        var rng = SplitMix64(seed: seed)
        weight = Tensor.randomNormal([outFeatures, inFeatures], standardDeviation: 1 / Float(inFeatures).squareRoot(), using: &rng)
        bias = Tensor.randomNormal([outFeatures], standardDeviation: 0.1, using: &rng)
        tapsFirst = Inference.tapsFirst(Tensor.randomNormal([outFeatures, 1, kernel], standardDeviation: 0.2, using: &rng))
        hidden = Tensor.zeros([frames, outFeatures])
        output = Tensor.zeros([frames, outFeatures])
    }

    /// Runs the block on `x [T, in]`; the result is in ``output``.
    package func callAsFunction(_ x: Tensor) {
        let (rows, inFeatures, outFeatures) = (hidden.shape[0], weight.shape[1], weight.shape[0])
        precondition(x.shape == [rows, inFeatures], "FeedForwardConvBlock: input \(x.shape), expected [\(rows), \(inFeatures)]")
        x.withUnsafeBufferPointer { px in
            weight.withUnsafeBufferPointer { pw in
                bias.withUnsafeBufferPointer { pb in
                    tapsFirst.withUnsafeBufferPointer { pt in
                        hidden.withUnsafeMutableBufferPointer { ph in
                            output.withUnsafeMutableBufferPointer { po in
                                Inference.linearDepthwise(
                                    px.baseAddress!, lda: inFeatures, weight: pw.baseAddress!, bias: pb.baseAddress!,
                                    activation: .silu, tapsFirst: pt.baseAddress!, taps: tapsFirst.shape[0], residual: true,
                                    accumulate: false, hidden: ph.baseAddress!, into: po.baseAddress!, rows: rows,
                                    inFeatures: inFeatures, outFeatures: outFeatures)
                            }
                        }
                    }
                }
            }
        }
    }
}
