import CKernels

/// An activation applied in the output pass of a fused inference kernel.
public enum FusedActivation: String, Sendable, Codable, CaseIterable {
    /// No activation.
    case identity
    /// `max(x, 0)`.
    case relu
    /// `x · sigmoid(x)`.
    case silu
    /// `1 / (1 + e^−x)`.
    case sigmoid
}

/// Allocation-free inference kernels that write into preallocated tensors.
///
/// These are the fast path of the separator: activations are kept **frames-first** (`[B, T, C]` / `[T, C]`),
/// so a Linear is one GEMM over all `B·T` frames and a depthwise conv over time vectorizes over channels.
/// Nothing is recorded and, once the output tensors exist, a call allocates nothing (the benchmark
/// `Linear -> SiLU -> depthwise conv` checks `mallocCountTotal == 0`). Outputs must not alias inputs.
///
/// ```swift
/// let h = Tensor.zeros([frames, 1024]), y = Tensor.zeros([frames, 1024])
/// let taps = Inference.tapsFirst(dw.weight)                                  // [17, 1024], once
/// Inference.linear(x, weight: w, bias: b, activation: .silu, into: h)          // [T, 256] -> [T, 1024]
/// Inference.depthwiseConvFramesFirst(h, tapsFirstWeight: taps, residual: true, into: y)
/// ```
public enum Inference {
    /// `out = act(x · Wᵀ + b)` over the last axis, as one GEMM plus one fused output pass (bias and
    /// activation applied while the rows are hot, split over cores).
    ///
    /// Shapes: `x [..., in]`, `weight [out, in]`, `bias [out]`, `out [..., out]` (same leading dims as `x`).
    /// - Parameters:
    ///   - x: the input, frames-first.
    ///   - weight: `[out, in]` (PyTorch layout).
    ///   - bias: `[out]`, or nil.
    ///   - activation: applied after the bias.
    ///   - out: the preallocated result; overwritten.
    public static func linear(
        _ x: Tensor, weight: Tensor, bias: Tensor?, activation: FusedActivation = .identity, into out: Tensor
    ) {
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        precondition(weight.rank == 2 && x.shape[-1] == inFeatures, "Inference.linear: input \(x.shape) vs weight \(weight.shape)")
        let rows = x.count / Swift.max(inFeatures, 1)
        precondition(out.count == rows * outFeatures && out.shape[-1] == outFeatures,
                     "Inference.linear: output \(out.shape) does not hold \(rows) x \(outFeatures)")
        if let bias { precondition(bias.count == outFeatures, "Inference.linear: bias \(bias.shape) != [\(outFeatures)]") }
        out.withUnsafeMutableBufferPointer { po in
            x.withUnsafeBufferPointer { px in
                weight.withUnsafeBufferPointer { pw in
                    withOptionalPointer(bias) { pb in
                        linearRows(px.baseAddress!, pw.baseAddress!, pb, po.baseAddress!, rows: rows,
                                   inFeatures: inFeatures, outFeatures: outFeatures, activation: activation)
                    }
                }
            }
        }
    }

    /// Rows per GEMM tile of the fused Linear: the tile's output (`tileRows × out` floats) stays in L2 for the
    /// bias/activation pass.
    static func tileRows(outFeatures: Int) -> Int { Swift.max(16, 131_072 / Swift.max(outFeatures, 1)) }

    private static func linearRows(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>,
        rows: Int, inFeatures: Int, outFeatures: Int, activation: FusedActivation
    ) {
        if bias == nil && activation == .identity {
            BLAS.sgemm(transB: true, m: rows, n: outFeatures, k: inFeatures, a: x, b: w, c: out)
            return
        }
        // Row-split: each worker runs single-threaded GEMMs on tiles of its rows (inside the pool, BLAS does not
        // split again) and applies the epilogue while the tile is in cache.
        let flops = 2 * rows * inFeatures * outFeatures
        let workers = flops < 4_000_000 ? 1 : Swift.min(Threading.elementwiseThreads, Swift.max(1, rows / 16))
        let task = LinearRowsTask(x: x, w: w, bias: bias, out: out, rows: rows, inFeatures: inFeatures,
                                  outFeatures: outFeatures, activation: activation,
                                  perWorker: (rows + workers - 1) / workers, tile: tileRows(outFeatures: outFeatures))
        if workers == 1 {
            task.run(worker: 0)
        } else {
            Threading.forkJoin(workers, task: task)
        }
    }

    /// One worker's rows of the fused Linear: single-threaded GEMM tiles, each followed by the epilogue.
    private struct LinearRowsTask: ParallelTask {
        let x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>
        let rows: Int, inFeatures: Int, outFeatures: Int, activation: FusedActivation, perWorker: Int, tile: Int

        func run(worker: Int) {
            var r0 = worker * perWorker
            let end = Swift.min(rows, r0 + perWorker)
            while r0 < end {
                let n = Swift.min(tile, end - r0)
                let o = out + r0 * outFeatures
                BLAS.sgemm(transB: true, m: n, n: outFeatures, k: inFeatures, a: x + r0 * inFeatures, b: w, c: o)
                Inference.epilogue(o, count: n * outFeatures, columns: outFeatures, bias: bias, activation: activation)
                r0 += n
            }
        }
    }

    /// `o[i] = act(o[i] + bias[i % columns])` over `count` elements (whole rows), in the C kernels.
    fileprivate static func epilogue(
        _ o: UnsafeMutablePointer<Float>, count: Int, columns: Int, bias: UnsafePointer<Float>?, activation: FusedActivation
    ) {
        let code: Int32
        switch activation {
        case .identity: code = 0
        case .relu: code = 1
        case .silu: code = 2
        case .sigmoid: code = 3
        }
        sk_bias_activation(o, count / columns, columns, bias, code)
    }

    /// Rearranges a depthwise conv weight `[C, 1, K]` to taps-first `[K, C]` for
    /// ``depthwiseConvFramesFirst(_:tapsFirstWeight:dilation:residual:into:)``. Call once per weight.
    public static func tapsFirst(_ weight: Tensor) -> Tensor {
        precondition(weight.rank == 3 && weight.shape[1] == 1, "tapsFirst: expected a depthwise weight [C, 1, K], got \(weight.shape)")
        return Autograd.withNoGrad { weight.reshaped([weight.shape[0], weight.shape[2]]).transposed(0, 1) }
    }

    /// Depthwise convolution over time with symmetric "same" zero padding (`dilation·(K−1)/2` each side),
    /// on frames-first data, optionally adding the input (`y = x + dwconv(x)`, MossFormer2's ConvModule).
    ///
    /// Shapes: `x [B, T, C]` or `[T, C]`, `tapsFirstWeight [K, C]` (K odd), `out` like `x`.
    /// - Parameters:
    ///   - x: the input, frames-first.
    ///   - tapsFirstWeight: from ``tapsFirst(_:)``.
    ///   - dilation: spacing between taps.
    ///   - residual: add `x` to the result.
    ///   - out: the preallocated result; overwritten; must not alias `x`.
    public static func depthwiseConvFramesFirst(
        _ x: Tensor, tapsFirstWeight: Tensor, dilation: Int = 1, residual: Bool = false, into out: Tensor
    ) {
        precondition(x.rank == 2 || x.rank == 3, "depthwiseConvFramesFirst: input must be [B, T, C] or [T, C], got \(x.shape)")
        let (taps, channels) = (tapsFirstWeight.shape[0], tapsFirstWeight.shape[1])
        precondition(x.shape[-1] == channels && taps % 2 == 1 && out.shape == x.shape && out.storage !== x.storage,
                     "depthwiseConvFramesFirst: input \(x.shape), taps-first weight \(tapsFirstWeight.shape), output \(out.shape)")
        let frames = x.shape[-2]
        let batch = x.rank == 3 ? x.shape[0] : 1
        out.withUnsafeMutableBufferPointer { po in
            x.withUnsafeBufferPointer { px in
                tapsFirstWeight.withUnsafeBufferPointer { pw in
                    DepthwiseFramesFirst.forward(x: px.baseAddress!, w: pw.baseAddress!, out: po.baseAddress!, batch: batch,
                                                 frames: frames, channels: channels, taps: taps, dilation: dilation,
                                                 residual: residual)
                }
            }
        }
    }
}

/// Calls `body` with the base address of `tensor`'s elements, or nil.
private func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0.baseAddress!) }
}
