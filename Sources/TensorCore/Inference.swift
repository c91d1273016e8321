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
    /// `max(x, 0)²` (FLASH attention weights).
    case squaredReLU

    /// The code of the C epilogue (`sk_bias_activation`).
    package var kernelCode: Int32 {
        switch self {
        case .identity: 0
        case .relu: 1
        case .silu: 2
        case .sigmoid: 3
        case .squaredReLU: 4
        }
    }
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
                        linear(px.baseAddress!, lda: inFeatures, weight: pw.baseAddress!, bias: pb, into: po.baseAddress!,
                               ldc: outFeatures, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures,
                               activation: activation)
                    }
                }
            }
        }
    }

    /// Rows per GEMM tile of the fused Linear: the tile's output (`tileRows × out` floats) stays in L2 for the
    /// bias/activation pass.
    static func tileRows(outFeatures: Int) -> Int { Swift.max(16, 262144 / Swift.max(outFeatures, 1)) }

    /// The pointer form of ``linear(_:weight:bias:activation:into:)`` for the fused model paths:
    /// `out = act(alpha · x · Wᵀ + beta · out + b)`, rows split over the worker pool, allocation-free.
    ///
    /// Shapes: `x [rows, in]` with row stride `lda`, `weight [out, in]`, `bias [out]`, `out [rows, out]` with row
    /// stride `ldc`.
    /// - Parameters:
    ///   - alpha: scales the product (a ScaleNorm gain folded into the GEMM).
    ///   - beta: 1 adds the product onto `out` (a residual folded into the GEMM).
    ///   - preluSlope: when set (with `activation == .identity`), the epilogue is a PReLU with this one slope.
    package static func linear(
        _ x: UnsafePointer<Float>, lda: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        into out: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, inFeatures: Int, outFeatures: Int, alpha: Float = 1,
        beta: Float = 0, activation: FusedActivation = .identity, preluSlope: Float? = nil
    ) {
        let epilogue = Epilogue(activation: activation, preluSlope: preluSlope)
        if bias == nil && epilogue.code == 0 {
            BLAS.sgemm(transB: true, m: rows, n: outFeatures, k: inFeatures, alpha: alpha, a: x, lda: lda, b: weight,
                       beta: beta, c: out, ldc: ldc)
            return
        }
        let task = LinearRowsTask(
            gemm: RowGEMM(x: x, lda: lda, w: weight, bias: bias, out: out, ldc: ldc, inFeatures: inFeatures,
                          outFeatures: outFeatures, alpha: alpha, beta: beta, epilogue: epilogue),
            rows: rows, split: RowSplit(rows: rows, workers: workers(rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)),
            tile: tileRows(outFeatures: outFeatures))
        Threading.forkJoin(task.split.workers, task: task)
    }

    /// A Linear followed by a depthwise conv over time, fused: `out = (accumulate ? out : 0) + (residual ? h : 0) +
    /// dwconv(h)` with `h = act(alpha · x · Wᵀ + b)` (MossFormer2's FFConvM without its norm).
    ///
    /// Each worker owns a contiguous range of output frames and computes `h` for it, plus the conv's reach on both
    /// sides, in GEMM tiles through a window of `hidden` rows that stays in cache: each tile is convolved as soon
    /// as it is computed, then only the last `2 · reach` rows are kept for the next tile. `h` never goes to memory
    /// as a whole, and the workers need no second pass at their seams.
    ///
    /// Shapes: `x [rows, in]` (row stride `lda`), `weight [out, in]`, `bias [out]`, `tapsFirst [taps, out]` (taps
    /// odd), `hidden` and `out` `[rows, out]` contiguous (`hidden` is scratch, left with unspecified contents; `out`
    /// must not alias it). `tile` overrides the GEMM tile rows (``tileRows(outFeatures:)``; tests use small ones).
    package static func linearDepthwise(
        _ x: UnsafePointer<Float>, lda: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, alpha: Float = 1,
        activation: FusedActivation, tapsFirst: UnsafePointer<Float>, taps: Int, dilation: Int = 1, residual: Bool,
        accumulate: Bool, hidden: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, rows: Int,
        inFeatures: Int, outFeatures: Int, tile: Int? = nil
    ) {
        precondition(taps % 2 == 1 && UnsafePointer(out) != UnsafePointer(hidden), "linearDepthwise: odd taps, out must not alias hidden")
        guard rows > 0 else { return }
        let gemm = RowGEMM(x: x, lda: lda, w: weight, bias: bias, out: hidden, ldc: outFeatures, inFeatures: inFeatures,
                           outFeatures: outFeatures, alpha: alpha, beta: 0, epilogue: Epilogue(activation: activation, preluSlope: nil))
        let conv = DepthwiseRows(w: tapsFirst, out: out, frames: rows, channels: outFeatures, taps: taps,
                                 dilation: dilation, flags: (residual ? 1 : 0) | (accumulate ? 2 : 0))
        // Every worker's slice of `hidden` must hold a window wider than the rows it keeps between tiles (the last
        // slice is the shortest).
        var workers = workers(rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
        while workers > 1 {
            let (start, end) = RowSplit(rows: rows, workers: workers).range(workers - 1)
            if end - start > 2 * conv.reach + 16 { break }
            workers -= 1
        }
        let task = LinearDepthwiseTask(gemm: gemm, conv: conv, split: RowSplit(rows: rows, workers: workers),
                                       tile: Swift.max(1, tile ?? tileRows(outFeatures: outFeatures)))
        Threading.forkJoin(workers, task: task)
    }

    /// How many workers a Linear of this size is split over.
    private static func workers(rows: Int, inFeatures: Int, outFeatures: Int) -> Int {
        let flops = 2 * rows * inFeatures * outFeatures
        return flops < 4_000_000 ? 1 : Swift.min(Threading.elementwiseThreads, Swift.max(1, rows / 16))
    }

    /// The bias + activation pass of a fused Linear (`sk_bias_activation`).
    private struct Epilogue {
        let code: Int32, slope: Float
        init(activation: FusedActivation, preluSlope: Float?) {
            if let preluSlope {
                precondition(activation == .identity, "Inference.linear: a PReLU epilogue replaces the activation")
                code = 5; slope = preluSlope
            } else {
                code = activation.kernelCode; slope = 0
            }
        }
    }

    /// Contiguous row ranges of `rows` split over `workers`.
    private struct RowSplit {
        let rows: Int, workers: Int
        func range(_ worker: Int) -> (Int, Int) {
            let per = (rows + workers - 1) / workers
            return (Swift.min(rows, worker * per), Swift.min(rows, (worker + 1) * per))
        }
    }

    /// One GEMM tile of a fused Linear on this thread: `out[r0 ..< r0+n] = epilogue(alpha · x·Wᵀ + beta · out)`.
    private struct RowGEMM {
        let x: UnsafePointer<Float>, lda: Int, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?
        let out: UnsafeMutablePointer<Float>, ldc: Int, inFeatures: Int, outFeatures: Int, alpha: Float, beta: Float
        let epilogue: Epilogue

        func run(_ r0: Int, _ n: Int) { run(r0, n, into: out + r0 * ldc) }

        /// Rows `r0 ..< r0+n` of the product, written to `o` (row stride `ldc`).
        func run(_ r0: Int, _ n: Int, into o: UnsafeMutablePointer<Float>) {
            BLAS.sgemm(transB: true, m: n, n: outFeatures, k: inFeatures, alpha: alpha, a: x + r0 * lda, lda: lda, b: w,
                       beta: beta, c: o, ldc: ldc)
            if epilogue.code == 0 && bias == nil { return }
            if ldc == outFeatures {
                sk_bias_activation(o, n, outFeatures, bias, epilogue.code, epilogue.slope)
            } else {
                for r in 0..<n { sk_bias_activation(o + r * ldc, 1, outFeatures, bias, epilogue.code, epilogue.slope) }
            }
        }
    }

    /// The depthwise conv part of ``linearDepthwise(_:lda:weight:bias:alpha:activation:tapsFirst:taps:dilation:residual:accumulate:hidden:into:rows:inFeatures:outFeatures:)``.
    private struct DepthwiseRows {
        let w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
        let frames: Int, channels: Int, taps: Int, dilation: Int, flags: Int32
        var reach: Int { dilation * (taps - 1) / 2 }

        /// Output frames `range` from the hidden rows in `window`, whose row 0 is frame `first`.
        func run(_ range: Range<Int>, window: UnsafePointer<Float>, first: Int) {
            if range.isEmpty { return }
            sk_depthwise_forward(window, first, w, out, frames, channels, taps, dilation, flags, range.lowerBound, range.upperBound)
        }
    }

    /// One worker's rows of the fused Linear: single-threaded GEMM tiles, each followed by the epilogue.
    private struct LinearRowsTask: ParallelTask {
        let gemm: RowGEMM, rows: Int, split: RowSplit, tile: Int

        func run(worker: Int) {
            var (r0, end) = split.range(worker)
            while r0 < end {
                let n = Swift.min(tile, end - r0)
                gemm.run(r0, n)
                r0 += n
            }
        }
    }

    /// One worker's output frames `[start, end)` of the fused Linear + depthwise conv. The hidden rows it needs,
    /// `[start − reach, end + reach)` within the signal, are computed tile by tile into a window at the start of
    /// the worker's own slice of `hidden` (`window` rows); after each tile the frames whose taps are all computed
    /// are convolved, and the window keeps only the rows later frames still reach.
    private struct LinearDepthwiseTask: ParallelTask {
        let gemm: RowGEMM, conv: DepthwiseRows, split: RowSplit, tile: Int

        func run(worker: Int) {
            let (start, end) = split.range(worker)
            if start >= end { return }
            let (reach, channels) = (conv.reach, conv.channels)
            let (lo, hi) = (Swift.max(0, start - reach), Swift.min(conv.frames, end + reach))
            let capacity = Swift.min(tile + 2 * reach, end - start, hi - lo)  // window rows
            let window = gemm.out + start * channels
            var (first, computed, done) = (lo, lo, start)  // window holds rows [first, computed)
            while computed < hi {
                if computed - first == capacity {
                    let keep = computed - Swift.max(first, done - reach)
                    window.update(from: window + (computed - first - keep) * channels, count: keep * channels)
                    first = computed - keep
                }
                let n = Swift.min(hi - computed, capacity - (computed - first))
                gemm.run(computed, n, into: window + (computed - first) * channels)
                computed += n
                let ready = computed == conv.frames ? end : Swift.min(end, computed - reach)
                if ready > done {
                    conv.run(done..<ready, window: window, first: first)
                    done = ready
                }
            }
        }
    }

    /// Rearranges a depthwise conv weight `[C, 1, K]` to taps-first `[K, C]` for
    /// ``depthwiseConvFramesFirst(_:tapsFirstWeight:dilation:residual:into:)``. Call once per weight.
    public static func tapsFirst(_ weight: Tensor) -> Tensor {
        precondition(weight.rank == 3 && weight.shape[1] == 1, "tapsFirst: expected a depthwise weight [C, 1, K], got \(weight.shape)")
        return Autograd.withNoGrad { weight.reshaped([weight.shape[0], weight.shape[2]]).transposed(0, 1) }
    }

    /// Writes a grouped conv weight `[C, G, K]` (or `[C, G, K, 1]`) taps-first: `out[k·ld + j·C + c] = w[c, j, k]`, so
    /// input `j` of every group becomes a block of `C` columns (`G == 1`: the depthwise layout of
    /// ``tapsFirst(_:)``). `ld >= G·C` leaves room for other blocks beside it.
    package static func tapsFirst(_ weight: Tensor, into out: UnsafeMutablePointer<Float>, ld: Int) {
        let (channels, group, taps) = (weight.shape[0], weight.shape[1], weight.shape[2])
        precondition(weight.count == channels * group * taps && ld >= group * channels, "tapsFirst: weight \(weight.shape), ld \(ld)")
        weight.withUnsafeBufferPointer { w in
            for c in 0..<channels {
                for j in 0..<group {
                    let src = w.baseAddress! + (c * group + j) * taps
                    for k in 0..<taps { out[k * ld + j * channels + c] = src[k] }
                }
            }
        }
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
func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0.baseAddress!) }
}
