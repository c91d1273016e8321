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
