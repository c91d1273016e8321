// 1-D convolution and transposed convolution, channels-first `[B, C, T]`, PyTorch semantics.
// GEMM-shaped work (im2col + sgemm per batch item and group); small groups (depthwise, the FSMN's
// 2-channel groups) use a direct loop instead, because they are memory bound.

extension Tensor {
    /// Whether the direct (non-GEMM) loop handles groups of this size.
    private static func useDirect(inPerGroup: Int, outPerGroup: Int) -> Bool {
        inPerGroup * outPerGroup <= 4
    }

    /// 1-D convolution (cross-correlation, as `torch.nn.functional.conv1d`).
    ///
    /// Shapes: `x [B, Cin, Tin]`, `weight [Cout, Cin/groups, K]` (or the 2-D form `[Cout, Cin/groups, K, 1]`
    /// of MossFormer2's FSMN), `bias [Cout]` -> `[B, Cout, Tout]` with
    /// `Tout = (Tin + padLeft + padRight − dilation·(K−1) − 1) / stride + 1`.
    /// Group `g` reads input channels `g·Cin/groups ..< (g+1)·Cin/groups` and writes output channels
    /// `g·Cout/groups ..< (g+1)·Cout/groups`.
    /// - Parameters:
    ///   - x: the input `[B, Cin, Tin]`.
    ///   - weight: `[Cout, Cin/groups, K]` or `[Cout, Cin/groups, K, 1]`.
    ///   - bias: `[Cout]` or nil.
    ///   - stride: step between output frames.
    ///   - padding: zero frames `(left, right)`; symmetric "same" padding is `dilation·(K−1)/2` on both sides.
    ///   - dilation: spacing between taps.
    ///   - groups: number of channel groups (`Cin` for depthwise).
    public static func conv1d(
        _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: (left: Int, right: Int) = (0, 0),
        dilation: Int = 1, groups: Int = 1
    ) -> Tensor {
        precondition(x.rank == 3, "conv1d: input must be [B, Cin, T], got \(x.shape)")
        var w = weight
        if w.rank == 4 {
            precondition(w.shape[3] == 1, "conv1d: a rank-4 weight must be [Cout, Cin/groups, K, 1], got \(w.shape)")
            w = w.reshaped(Array(w.shape.dims.prefix(3)))
        }
        precondition(w.rank == 3, "conv1d: weight must be [Cout, Cin/groups, K], got \(weight.shape)")
        let (batch, cin, tin) = (x.shape[0], x.shape[1], x.shape[2])
        let (cout, inPerGroup, taps) = (w.shape[0], w.shape[1], w.shape[2])
        precondition(groups >= 1 && cin % groups == 0 && cout % groups == 0 && inPerGroup == cin / groups,
                     "conv1d: weight \(weight.shape) does not fit input \(x.shape) with \(groups) groups")
        if let bias { precondition(bias.shape == [cout], "conv1d: bias \(bias.shape) != [\(cout)]") }
        let outPerGroup = cout / groups
        let geo = ConvGeometry(inLength: tin, kernel: taps, stride: stride, padLeft: padding.left,
                               padRight: padding.right, dilation: dilation)
        let tout = geo.outLength
        let direct = useDirect(inPerGroup: inPerGroup, outPerGroup: outPerGroup)
        let colRows = inPerGroup * taps
        let pointwise = taps == 1 && stride == 1 && padding == (0, 0)
        var values = [Float](repeating: 0, count: batch * cout * tout)
        values.withUnsafeMutableBufferPointer { out in
            x.withUnsafeBufferPointer { px in
                w.withUnsafeBufferPointer { pw in
                    let xo = px.baseAddress!, wo = pw.baseAddress!, oo = out.baseAddress!
                    if direct {
                        Threading.parallelFor(batch * groups, grain: 1) { range in
                            for item in range {
                                let (b, g) = (item / groups, item % groups)
                                ConvolutionKernels.directForward(
                                    xo + b * cin * tin, wo, oo + b * cout * tout,
                                    outChannels: (g * outPerGroup)..<((g + 1) * outPerGroup),
                                    inPerGroup: inPerGroup, outPerGroup: outPerGroup, geo)
                            }
                        }
                        return
                    }
                    var cols = [Float](repeating: 0, count: pointwise ? 0 : colRows * tout)
                    cols.withUnsafeMutableBufferPointer { pc in
                        for b in 0..<batch {
                            for g in 0..<groups {
                                let xg = xo + (b * cin + g * inPerGroup) * tin
                                let source: UnsafePointer<Float>
                                if pointwise {
                                    source = xg
                                } else {
                                    ConvolutionKernels.im2col(xg, channels: inPerGroup, geo, pc.baseAddress!)
                                    source = UnsafePointer(pc.baseAddress!)
                                }
                                BLAS.sgemm(m: outPerGroup, n: tout, k: colRows, a: wo + g * outPerGroup * colRows,
                                           b: source, c: oo + (b * cout + g * outPerGroup) * tout)
                            }
                        }
                    }
                }
            }
            if let bias { addChannelBias(bias, to: out, batch: batch, channels: cout, length: tout) }
        }
        let out = Tensor(values, shape: [batch, cout, tout])
        var parents = [x, w]
        if let bias { parents.append(bias) }
        if Autograd.shouldRecord(parents) {
            out.record(parents) { g in
                var dx: [Float]? = x.requiresGrad ? [Float](repeating: 0, count: x.count) : nil
                var dw: [Float]? = w.requiresGrad ? [Float](repeating: 0, count: w.count) : nil
                g.withUnsafeBufferPointer { pg in
                    x.withUnsafeBufferPointer { px in
                        w.withUnsafeBufferPointer { pw in
                            let go = pg.baseAddress!, xo = px.baseAddress!, wo = pw.baseAddress!
                            withOptionalMutablePointers(&dx, &dw) { dxo, dwo in
                                if direct {
                                    Threading.parallelFor(groups, grain: 1) { range in
                                        for grp in range {
                                            for b in 0..<batch {
                                                ConvolutionKernels.directBackward(
                                                    xo + b * cin * tin, wo, go + b * cout * tout,
                                                    dx: dxo.map { $0 + b * cin * tin }, dw: dwo,
                                                    outChannels: (grp * outPerGroup)..<((grp + 1) * outPerGroup),
                                                    inPerGroup: inPerGroup, outPerGroup: outPerGroup, geo)
                                            }
                                        }
                                    }
                                    return
                                }
                                var cols = [Float](repeating: 0, count: colRows * tout)
                                cols.withUnsafeMutableBufferPointer { pc in
                                    let co = pc.baseAddress!
                                    for b in 0..<batch {
                                        for grp in 0..<groups {
                                            let gy = go + (b * cout + grp * outPerGroup) * tout
                                            let xg = xo + (b * cin + grp * inPerGroup) * tin
                                            if let dwo {
                                                let src: UnsafePointer<Float>
                                                if pointwise { src = xg } else {
                                                    ConvolutionKernels.im2col(xg, channels: inPerGroup, geo, co)
                                                    src = UnsafePointer(co)
                                                }
                                                // dW_g [Cout/g, Cin/g·K] += dY_g [Cout/g, Tout] · colsᵀ
                                                BLAS.sgemm(transB: true, m: outPerGroup, n: colRows, k: tout, a: gy, b: src,
                                                           beta: 1, c: dwo + grp * outPerGroup * colRows)
                                            }
                                            if let dxo {
                                                let dxg = dxo + (b * cin + grp * inPerGroup) * tin
                                                if pointwise {
                                                    BLAS.sgemm(transA: true, m: colRows, n: tout, k: outPerGroup,
                                                               a: wo + grp * outPerGroup * colRows, b: gy, beta: 1, c: dxg)
                                                } else {
                                                    // dCols [Cin/g·K, Tout] = W_gᵀ · dY_g, then scatter back.
                                                    BLAS.sgemm(transA: true, m: colRows, n: tout, k: outPerGroup,
                                                               a: wo + grp * outPerGroup * colRows, b: gy, c: co)
                                                    ConvolutionKernels.col2im(co, channels: inPerGroup, geo, dxg)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                var grads: [Tensor?] = [dx.map { Tensor($0, shape: x.shape) }, dw.map { Tensor($0, shape: w.shape) }]
                if let bias { grads.append(bias.requiresGrad ? g.sum(axes: [0, 2]) : nil) }
                return grads
            }
        }
        return out
    }

    /// 1-D transposed convolution (as `torch.nn.functional.conv_transpose1d`), the adjoint of ``conv1d``.
    ///
    /// Shapes: `x [B, Cin, Tin]`, `weight [Cin, Cout/groups, K]`, `bias [Cout]` -> `[B, Cout, Tout]` with
    /// `Tout = (Tin − 1)·stride − 2·padding + dilation·(K − 1) + outputPadding + 1`.
    /// - Parameters:
    ///   - x: the input `[B, Cin, Tin]`.
    ///   - weight: `[Cin, Cout/groups, K]` (PyTorch layout).
    ///   - bias: `[Cout]` or nil.
    ///   - stride: upsampling factor.
    ///   - padding: frames removed from both ends of the full output.
    ///   - outputPadding: extra frames at the end (`< stride` or `< dilation`).
    ///   - dilation: spacing between taps.
    ///   - groups: number of channel groups.
    public static func convTranspose1d(
        _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
        dilation: Int = 1, groups: Int = 1
    ) -> Tensor {
        precondition(x.rank == 3 && weight.rank == 3, "convTranspose1d: input [B, Cin, T] and weight [Cin, Cout/groups, K] expected, got \(x.shape), \(weight.shape)")
        let (batch, cin, tin) = (x.shape[0], x.shape[1], x.shape[2])
        let (wIn, outPerGroup, taps) = (weight.shape[0], weight.shape[1], weight.shape[2])
        precondition(wIn == cin && groups >= 1 && cin % groups == 0, "convTranspose1d: weight \(weight.shape) does not fit input \(x.shape) with \(groups) groups")
        precondition(outputPadding >= 0 && (outputPadding < stride || outputPadding < dilation), "convTranspose1d: outputPadding \(outputPadding) must be < stride or < dilation")
        let inPerGroup = cin / groups
        let cout = outPerGroup * groups
        if let bias { precondition(bias.shape == [cout], "convTranspose1d: bias \(bias.shape) != [\(cout)]") }
        let tout = (tin - 1) * stride - 2 * padding + dilation * (taps - 1) + outputPadding + 1
        precondition(tout > 0, "convTranspose1d: output length \(tout) is not positive")
        // The conv that maps y [Cout, Tout] to x-shaped frames [.., Tin]; this op is its adjoint.
        let geo = ConvGeometry(inLength: tout, outLength: tin, kernel: taps, stride: stride, padLeft: padding, dilation: dilation)
        let colRows = outPerGroup * taps
        var values = [Float](repeating: 0, count: batch * cout * tout)
        var cols = [Float](repeating: 0, count: colRows * tin)
        values.withUnsafeMutableBufferPointer { out in
            x.withUnsafeBufferPointer { px in
                weight.withUnsafeBufferPointer { pw in
                    cols.withUnsafeMutableBufferPointer { pc in
                        for b in 0..<batch {
                            for g in 0..<groups {
                                // cols [Cout/g·K, Tin] = W_gᵀ · x_g, W_g = weight rows of group g: [Cin/g, Cout/g·K].
                                BLAS.sgemm(transA: true, m: colRows, n: tin, k: inPerGroup,
                                           a: pw.baseAddress! + g * inPerGroup * colRows,
                                           b: px.baseAddress! + (b * cin + g * inPerGroup) * tin, c: pc.baseAddress!)
                                ConvolutionKernels.col2im(pc.baseAddress!, channels: outPerGroup, geo,
                                                          out.baseAddress! + (b * cout + g * outPerGroup) * tout)
                            }
                        }
                    }
                }
            }
            if let bias { addChannelBias(bias, to: out, batch: batch, channels: cout, length: tout) }
        }
        let out = Tensor(values, shape: [batch, cout, tout])
        var parents = [x, weight]
        if let bias { parents.append(bias) }
        if Autograd.shouldRecord(parents) {
            out.record(parents) { g in
                var dx: [Float]? = x.requiresGrad ? [Float](repeating: 0, count: x.count) : nil
                var dw: [Float]? = weight.requiresGrad ? [Float](repeating: 0, count: weight.count) : nil
                var cols = [Float](repeating: 0, count: colRows * tin)
                g.withUnsafeBufferPointer { pg in
                    x.withUnsafeBufferPointer { px in
                        weight.withUnsafeBufferPointer { pw in
                            cols.withUnsafeMutableBufferPointer { pc in
                                withOptionalMutablePointers(&dx, &dw) { dxo, dwo in
                                    for b in 0..<batch {
                                        for grp in 0..<groups {
                                            ConvolutionKernels.im2col(pg.baseAddress! + (b * cout + grp * outPerGroup) * tout,
                                                                      channels: outPerGroup, geo, pc.baseAddress!)
                                            let xg = px.baseAddress! + (b * cin + grp * inPerGroup) * tin
                                            if let dxo {
                                                // dx_g [Cin/g, Tin] = W_g [Cin/g, Cout/g·K] · dCols
                                                BLAS.sgemm(m: inPerGroup, n: tin, k: colRows,
                                                           a: pw.baseAddress! + grp * inPerGroup * colRows, b: pc.baseAddress!,
                                                           beta: 1, c: dxo + (b * cin + grp * inPerGroup) * tin)
                                            }
                                            if let dwo {
                                                // dW_g [Cin/g, Cout/g·K] += x_g · dColsᵀ
                                                BLAS.sgemm(transB: true, m: inPerGroup, n: colRows, k: tin, a: xg,
                                                           b: pc.baseAddress!, beta: 1, c: dwo + grp * inPerGroup * colRows)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                var grads: [Tensor?] = [dx.map { Tensor($0, shape: x.shape) }, dw.map { Tensor($0, shape: weight.shape) }]
                if let bias { grads.append(bias.requiresGrad ? g.sum(axes: [0, 2]) : nil) }
                return grads
            }
        }
        return out
    }
}

/// Calls `body` with mutable base pointers of two optional arrays (nil for a nil array).
private func withOptionalMutablePointers(
    _ a: inout [Float]?, _ b: inout [Float]?,
    _ body: (UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?) -> Void
) {
    func withOne(_ x: inout [Float]?, _ inner: (UnsafeMutablePointer<Float>?) -> Void) {
        if x == nil { inner(nil) } else { x!.withUnsafeMutableBufferPointer { inner($0.baseAddress) } }
    }
    withOne(&a) { pa in withOne(&b) { pb in body(pa, pb) } }
}

/// `out[b, c, t] += bias[c]` over a `[batch, channels, length]` buffer (the bias pass of both convolutions).
private func addChannelBias(_ bias: Tensor, to out: UnsafeMutableBufferPointer<Float>, batch: Int, channels: Int, length: Int) {
    bias.withUnsafeBufferPointer { pb in
        for b in 0..<batch {
            for c in 0..<channels {
                let row = (b * channels + c) * length, v = pb[c]
                for t in 0..<length { out[row + t] += v }
            }
        }
    }
}
