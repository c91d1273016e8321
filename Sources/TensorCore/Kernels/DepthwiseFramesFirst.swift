/// The depthwise-conv-over-time kernel on frames-first rows `[T, C]`, register-blocked: 4 output frames ×
/// 8 channels accumulate in registers across all taps, so each tap costs one weight load per 8 channels
/// and one input load + multiply + add per 4 values (SSE-width `SIMD4<Float>`).
package enum DepthwiseFramesFirst {
    /// `out[t, c] = (residual ? x[t, c] : 0) + Σ_k w[k, c] · x[t + k·dilation − pad, c]` for `t in rows`,
    /// `pad = dilation·(taps−1)/2`, zero outside `0..<frames`.
    /// Shapes: `x`, `out` `[frames, channels]`, `w` `[taps, channels]`.
    package static func run(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, frames: Int, channels: Int,
        taps: Int, dilation: Int, residual: Bool, rows: Range<Int>
    ) {
        let pad = dilation * (taps - 1) / 2
        // Frames whose whole receptive field is inside the signal.
        let interior = pad..<Swift.max(pad, frames - pad)
        let vectorChannels = channels & ~7
        var t = rows.lowerBound
        while t < rows.upperBound {
            if t + 4 <= rows.upperBound && interior.contains(t) && interior.contains(t + 3) && vectorChannels > 0 {
                block4(x: x, w: w, out: out, t: t, channels: channels, vectorChannels: vectorChannels, taps: taps,
                       dilation: dilation, pad: pad, residual: residual)
                for r in t..<(t + 4) {
                    scalarRow(x: x, w: w, out: out, t: r, frames: frames, channels: vectorChannels..<channels,
                              rowStride: channels, taps: taps, dilation: dilation, pad: pad, residual: residual)
                }
                t += 4
            } else {
                scalarRow(x: x, w: w, out: out, t: t, frames: frames, channels: 0..<channels, rowStride: channels, taps: taps,
                          dilation: dilation, pad: pad, residual: residual)
                t += 1
            }
        }
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
        let blocks = (channels + 7) / 8
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
            let c0 = worker * blocksPerWorker * 8, c1 = Swift.min(channels, c0 + blocksPerWorker * 8)
            if c0 >= c1 { return }
            let pad = dilation * (taps - 1) / 2
            let tile = 128
            for b in 0..<batch {
                let xb = x + b * frames * channels, gb = dy + b * frames * channels
                var t0 = 0
                while t0 < frames {
                    let t1 = Swift.min(frames, t0 + tile)
                    for k in 0..<taps {
                        let offset = k * dilation - pad
                        // Frames t of this tile with 0 <= t + offset < frames.
                        let lo = Swift.max(t0, -offset), hi = Swift.min(t1, frames - offset)
                        if lo >= hi { continue }
                        let wk = dw + k * channels
                        var c = c0
                        while c + 8 <= c1 {
                            var a0 = SIMD4<Float>(), a1 = SIMD4<Float>(), e0 = SIMD4<Float>(), e1 = SIMD4<Float>()
                            var t = lo
                            while t + 2 <= hi {
                                let g = gb + t * channels + c, s = xb + (t + offset) * channels + c
                                a0 += load(g) * load(s); a1 += load(g + 4) * load(s + 4)
                                e0 += load(g + channels) * load(s + channels); e1 += load(g + channels + 4) * load(s + channels + 4)
                                t += 2
                            }
                            if t < hi {
                                let g = gb + t * channels + c, s = xb + (t + offset) * channels + c
                                a0 += load(g) * load(s); a1 += load(g + 4) * load(s + 4)
                            }
                            store(load(wk + c) + a0 + e0, wk + c)
                            store(load(wk + c + 4) + a1 + e1, wk + c + 4)
                            c += 8
                        }
                        while c < c1 {
                            var s: Float = 0
                            for t in lo..<hi { s += gb[t * channels + c] * xb[(t + offset) * channels + c] }
                            wk[c] += s
                            c += 1
                        }
                    }
                    t0 = t1
                }
            }
        }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always)
    private static func store(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
    }

    private static func block4(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, t: Int, channels: Int,
        vectorChannels: Int, taps: Int, dilation: Int, pad: Int, residual: Bool
    ) {
        let c4 = channels
        var c = 0
        while c < vectorChannels {
            var a0 = SIMD4<Float>(), a1 = SIMD4<Float>(), b0 = SIMD4<Float>(), b1 = SIMD4<Float>()
            var d0 = SIMD4<Float>(), d1 = SIMD4<Float>(), e0 = SIMD4<Float>(), e1 = SIMD4<Float>()
            if residual {
                let r = x + t * c4 + c
                a0 = load(r); a1 = load(r + 4)
                b0 = load(r + c4); b1 = load(r + c4 + 4)
                d0 = load(r + 2 * c4); d1 = load(r + 2 * c4 + 4)
                e0 = load(r + 3 * c4); e1 = load(r + 3 * c4 + 4)
            }
            var src = x + (t - pad) * c4 + c
            var wk = w + c
            for _ in 0..<taps {
                let w0 = load(wk), w1 = load(wk + 4)
                a0 += w0 * load(src); a1 += w1 * load(src + 4)
                b0 += w0 * load(src + c4); b1 += w1 * load(src + c4 + 4)
                d0 += w0 * load(src + 2 * c4); d1 += w1 * load(src + 2 * c4 + 4)
                e0 += w0 * load(src + 3 * c4); e1 += w1 * load(src + 3 * c4 + 4)
                src += dilation * c4
                wk += c4
            }
            let o = out + t * c4 + c
            store(a0, o); store(a1, o + 4)
            store(b0, o + c4); store(b1, o + c4 + 4)
            store(d0, o + 2 * c4); store(d1, o + 2 * c4 + 4)
            store(e0, o + 3 * c4); store(e1, o + 3 * c4 + 4)
            c += 8
        }
    }

    private static func scalarRow(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, t: Int, frames: Int,
        channels: Range<Int>, rowStride: Int, taps: Int, dilation: Int, pad: Int, residual: Bool
    ) {
        guard !channels.isEmpty else { return }
        let c4 = rowStride
        let orow = out + t * c4
        for c in channels { orow[c] = residual ? x[t * c4 + c] : 0 }
        for k in 0..<taps {
            let source = t + k * dilation - pad
            if source < 0 || source >= frames { continue }
            let xrow = x + source * c4, wrow = w + k * c4
            for c in channels { orow[c] += wrow[c] * xrow[c] }
        }
    }
}
