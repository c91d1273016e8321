import CKernels

/// The depthwise-conv-over-time kernels on frames-first rows `[T, C]`: loops over the contiguous channel axis in
/// C (`CKernels`, AVX-512 / AVX2 / baseline variants chosen at run time), split over frames or channel blocks on
/// the worker pool. ``ReferenceKernels/conv1d`` is their oracle in the tests.
package enum DepthwiseFramesFirst {
    /// The instruction set the kernels run with (`avx512f`, `avx2` or `baseline`).
    package static var instructionSet: String { String(cString: sk_kernel_isa()) }

    /// `out[t, c] = (residual ? x[t, c] : 0) + Σ_k w[k, c] · x[t + k·dilation − pad, c]` for `t in rows`,
    /// `pad = dilation·(taps−1)/2`, zero outside `0..<frames`.
    /// Shapes: `x`, `out` `[frames, channels]`, `w` `[taps, channels]`.
    package static func run(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, frames: Int, channels: Int,
        taps: Int, dilation: Int, residual: Bool, rows: Range<Int>
    ) {
        sk_depthwise_forward(x, 0, w, out, frames, channels, taps, dilation, residual ? 1 : 0, rows.lowerBound, rows.upperBound)
    }

    /// ``run(x:w:out:frames:channels:taps:dilation:residual:rows:)`` over `batch` items `[B, T, C]`, split over
    /// frames on the worker pool when the work is large (allocates nothing).
    package static func forward(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, batch: Int, frames: Int,
        channels: Int, taps: Int, dilation: Int, residual: Bool
    ) {
        let total = batch * frames
        guard total > 0 else { return }
        let workers = total * channels * taps < 1_000_000 ? 1 : Swift.min(Threading.elementwiseThreads, total)
        let task = ForwardTask(x: x, w: w, out: out, batch: batch, frames: frames, channels: channels, taps: taps,
                               dilation: dilation, residual: residual, perWorker: (total + workers - 1) / workers)
        Threading.forkJoin(workers, task: task)
    }

    /// One worker's frames of ``forward(x:w:out:batch:frames:channels:taps:dilation:residual:)``.
    private struct ForwardTask: ParallelTask {
        let x: UnsafePointer<Float>, w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
        let batch: Int, frames: Int, channels: Int, taps: Int, dilation: Int, residual: Bool, perWorker: Int

        func run(worker: Int) {
            let total = batch * frames
            let start = worker * perWorker, end = Swift.min(total, start + perWorker)
            if start >= end { return }
            for b in (start / frames)...((end - 1) / frames) {
                let t0 = Swift.max(start - b * frames, 0), t1 = Swift.min(end - b * frames, frames)
                DepthwiseFramesFirst.run(
                    x: x + b * frames * channels, w: w, out: out + b * frames * channels, frames: frames,
                    channels: channels, taps: taps, dilation: dilation, residual: residual, rows: t0..<t1)
            }
        }
    }

    /// The weight gradient of the depthwise conv, accumulated taps-first:
    /// `dw[k, c] += Σ_b Σ_t dy[b, t, c] · x[b, t + k·dilation − pad, c]` (zero outside the signal).
    /// Shapes: `x`, `dy` `[B, T, C]`, `dw` `[K, C]`. Split over channel blocks (no two workers share an output).
    package static func weightGradient(
        x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>, batch: Int, frames: Int,
        channels: Int, taps: Int, dilation: Int
    ) {
        let blocks = (channels + 15) / 16
        let work = batch * frames * channels * taps
        let workers = work < 1_000_000 ? 1 : Swift.min(Threading.elementwiseThreads, blocks)
        let task = WeightGradientTask(x: x, dy: dy, dw: dw, batch: batch, frames: frames, channels: channels, taps: taps,
                                      dilation: dilation, blocksPerWorker: (blocks + workers - 1) / workers)
        Threading.forkJoin(workers, task: task)
    }

    private struct WeightGradientTask: ParallelTask {
        let x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>
        let batch: Int, frames: Int, channels: Int, taps: Int, dilation: Int, blocksPerWorker: Int

        func run(worker: Int) {
            let c0 = worker * blocksPerWorker * 16, c1 = Swift.min(channels, c0 + blocksPerWorker * 16)
            if c0 >= c1 { return }
            for b in 0..<batch {
                sk_depthwise_weight_gradient(x + b * frames * channels, dy + b * frames * channels, dw, frames, channels,
                                             taps, dilation, c0, c1)
            }
        }
    }
}
