import CKernels
import RealModule

/// The index map of a 1-D convolution: output frame `t`, tap `k` reads input frame
/// `t · stride − padLeft + k · dilation` (zero outside `0..<inLength`).
package struct ConvGeometry: Sendable, Equatable {
    /// Input frames.
    package let inLength: Int
    /// Output frames.
    package let outLength: Int
    /// Kernel taps.
    package let kernel: Int
    /// Step between output frames, in input frames.
    package let stride: Int
    /// Zero frames before the input.
    package let padLeft: Int
    /// Spacing between taps, in input frames.
    package let dilation: Int

    /// A geometry with the output length PyTorch computes:
    /// `(inLength + padLeft + padRight − dilation·(kernel−1) − 1) / stride + 1`.
    package init(inLength: Int, kernel: Int, stride: Int, padLeft: Int, padRight: Int, dilation: Int) {
        precondition(kernel >= 1 && stride >= 1 && dilation >= 1 && padLeft >= 0 && padRight >= 0,
                     "conv: invalid kernel \(kernel), stride \(stride), dilation \(dilation) or padding (\(padLeft), \(padRight))")
        let span = dilation * (kernel - 1) + 1
        let padded = inLength + padLeft + padRight
        precondition(padded >= span, "conv: input of \(inLength) frames (padded \(padded)) is shorter than the kernel span \(span)")
        self.init(inLength: inLength, outLength: (padded - span) / stride + 1, kernel: kernel, stride: stride,
                  padLeft: padLeft, dilation: dilation)
    }

    /// A geometry with an explicit output length (used by transposed convolution).
    package init(inLength: Int, outLength: Int, kernel: Int, stride: Int, padLeft: Int, dilation: Int) {
        self.inLength = inLength; self.outLength = outLength; self.kernel = kernel
        self.stride = stride; self.padLeft = padLeft; self.dilation = dilation
    }

    /// The output frames `t` whose tap `k` reads inside the input: `0 <= t·stride − padLeft + k·dilation < inLength`.
    @inline(__always)
    package func validRange(tap k: Int) -> Range<Int> {
        let offset = k * dilation - padLeft
        // t * stride + offset >= 0  <=>  t >= ceil(-offset / stride)
        let lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        // t * stride + offset <= inLength - 1  <=>  t <= floor((inLength - 1 - offset) / stride)
        let hiNumerator = inLength - 1 - offset
        let hi = hiNumerator < 0 ? 0 : min(outLength, hiNumerator / stride + 1)
        return lo < hi ? lo..<hi : 0..<0
    }
}

/// Convolution loops over channels-first rows (`[channels, time]` per batch item).
package enum ConvolutionKernels {
    /// `cols[c·K + k, t] = x[c, t·stride − padLeft + k·dilation]` (0 outside): `[C, Tin] -> [C·K, Tout]`.
    package static func im2col(
        _ x: UnsafePointer<Float>, channels: Int, _ g: ConvGeometry, _ cols: UnsafeMutablePointer<Float>
    ) {
        let tOut = g.outLength
        for c in 0..<channels {
            let xc = x + c * g.inLength
            for k in 0..<g.kernel {
                let row = cols + (c * g.kernel + k) * tOut
                let valid = g.validRange(tap: k)
                let offset = k * g.dilation - g.padLeft
                for t in 0..<valid.lowerBound { row[t] = 0 }
                if g.stride == 1 {
                    for t in valid { row[t] = xc[t + offset] }
                } else {
                    for t in valid { row[t] = xc[t * g.stride + offset] }
                }
                for t in valid.upperBound..<tOut { row[t] = 0 }
            }
        }
    }

    /// The adjoint of ``im2col(_:channels:_:_:)``: `x[c, t·stride − padLeft + k·dilation] += cols[c·K + k, t]`.
    package static func col2im(
        _ cols: UnsafePointer<Float>, channels: Int, _ g: ConvGeometry, _ x: UnsafeMutablePointer<Float>
    ) {
        let tOut = g.outLength
        for c in 0..<channels {
            let xc = x + c * g.inLength
            for k in 0..<g.kernel {
                let row = cols + (c * g.kernel + k) * tOut
                let offset = k * g.dilation - g.padLeft
                if g.stride == 1 {
                    for t in g.validRange(tap: k) { xc[t + offset] += row[t] }
                } else {
                    for t in g.validRange(tap: k) { xc[t * g.stride + offset] += row[t] }
                }
            }
        }
    }

    /// Direct grouped convolution for small groups (depthwise included), accumulating into `out`:
    /// `out[o, t] += Σ_i Σ_k w[o, i, k] · x[group(o)·inPerGroup + i, t·stride − padLeft + k·dilation]`.
    ///
    /// Shapes: `x [Cin, Tin]`, `w [Cout, Cin/groups, K]`, `out [Cout, Tout]` for one batch item.
    package static func directForward(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        outChannels: Range<Int>, inPerGroup: Int, outPerGroup: Int, _ g: ConvGeometry
    ) {
        let taps = g.kernel
        for o in outChannels {
            let orow = out + o * g.outLength
            let group = o / outPerGroup
            for i in 0..<inPerGroup {
                let xc = x + (group * inPerGroup + i) * g.inLength
                let wo = w + (o * inPerGroup + i) * taps
                if g.stride == 1 {
                    sk_conv_row(xc, g.inLength, wo, taps, g.dilation, g.padLeft, orow, g.outLength)
                    continue
                }
                for k in 0..<taps {
                    let wv = wo[k]
                    let offset = k * g.dilation - g.padLeft
                    for t in g.validRange(tap: k) { orow[t] += wv * xc[t * g.stride + offset] }
                }
            }
        }
    }

    /// Gradients of ``directForward(_:_:_:outChannels:inPerGroup:outPerGroup:_:)`` for one batch item,
    /// accumulating: `dx += Σ w · dy` (when `dx` is given) and `dw += Σ dy · x` (when `dw` is given).
    package static func directBackward(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
        outChannels: Range<Int>, inPerGroup: Int, outPerGroup: Int, _ g: ConvGeometry
    ) {
        let taps = g.kernel
        if g.stride == 1 {
            // dx is the conv of dy with the taps reversed (padding (K−1)·dilation − padLeft); dw correlates dy with x.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: taps) { flipped in
                for o in outChannels {
                    let grow = dy + o * g.outLength
                    let group = o / outPerGroup
                    for i in 0..<inPerGroup {
                        let channel = group * inPerGroup + i
                        let wo = w + (o * inPerGroup + i) * taps
                        if let dx {
                            for k in 0..<taps { flipped[k] = wo[taps - 1 - k] }
                            sk_conv_row(grow, g.outLength, flipped.baseAddress!, taps, g.dilation,
                                        (taps - 1) * g.dilation - g.padLeft, dx + channel * g.inLength, g.inLength)
                        }
                        if let dw {
                            sk_correlate_row(x + channel * g.inLength, g.inLength, grow, g.outLength, taps, g.dilation,
                                             g.padLeft, dw + (o * inPerGroup + i) * taps)
                        }
                    }
                }
            }
            return
        }
        for o in outChannels {
            let grow = dy + o * g.outLength
            let group = o / outPerGroup
            for i in 0..<inPerGroup {
                let channel = group * inPerGroup + i
                let xc = x + channel * g.inLength
                for k in 0..<taps {
                    let widx = (o * inPerGroup + i) * taps + k
                    let offset = k * g.dilation - g.padLeft
                    let valid = g.validRange(tap: k)
                    if let dx {
                        let wv = w[widx]
                        let dxc = dx + channel * g.inLength
                        if g.stride == 1 {
                            let d = dxc + offset
                            for t in valid { d[t] += wv * grow[t] }
                        } else {
                            for t in valid { dxc[t * g.stride + offset] += wv * grow[t] }
                        }
                    }
                    if let dw {
                        // Relaxed: lets LLVM reassociate the reduction and vectorize it.
                        var s: Float = 0
                        if g.stride == 1 {
                            let src = xc + offset
                            for t in valid { s = Relaxed.multiplyAdd(grow[t], src[t], s) }
                        } else {
                            for t in valid { s = Relaxed.multiplyAdd(grow[t], xc[t * g.stride + offset], s) }
                        }
                        dw[widx] += s
                    }
                }
            }
        }
    }
}
