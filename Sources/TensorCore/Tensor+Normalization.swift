import CKernels
import RealModule

// Normalization ops with fused forward and hand-written backward (biased variance, `eps` added to the variance
// inside the square root, as PyTorch's LayerNorm / GroupNorm / InstanceNorm). LayerNorm and ScaleNorm rows run
// the same C row kernels as the inference paths (one loop for both); group statistics, over whole channel groups
// and all frames, are summed in Double.

/// The row layout shared by the normalization kernels: `rows` contiguous rows of `segments × segmentLength`
/// elements; statistics are per row; segment `s` of row `r` uses affine parameter `paramBase(r) + s`.
private struct NormLayout {
    let rows: Int
    let segments: Int
    let segmentLength: Int
    let groups: Int  // paramBase(r) = (r % groups) * segments
    var rowLength: Int { segments * segmentLength }
    func paramBase(_ row: Int) -> Int { (row % groups) * segments }
}

extension Tensor {
    /// Layer normalization over the last axis (PyTorch `nn.LayerNorm(C)`).
    ///
    /// Shapes: `x [..., C]`, `weight [C]`, `bias [C]` -> `[..., C]`. For channels-first `[B, C, T]` data that
    /// should be normalized per frame, transpose to `[B, T, C]` first (or use ``groupNorm`` for a global norm).
    /// - Parameters:
    ///   - x: the input `[..., C]`.
    ///   - weight: per-feature gain `[C]`, or nil.
    ///   - bias: per-feature offset `[C]`, or nil.
    ///   - eps: added to the variance.
    public static func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        let c = x.shape[-1]
        let layout = NormLayout(rows: x.count / Swift.max(c, 1), segments: c, segmentLength: 1, groups: 1)
        return normalize(x, weight: weight, bias: bias, eps: eps, layout: layout, paramCount: c)
    }

    /// Group normalization (PyTorch `nn.GroupNorm(groups, C)`): statistics over each group of `C/groups`
    /// channels and all frames; per-channel affine. `groups == 1` is the global layer norm (gLN) of
    /// Conv-TasNet / MossFormer2; `groups == C` is instance normalization.
    ///
    /// Shapes: `x [B, C, T...]`, `weight [C]`, `bias [C]` -> `[B, C, T...]`.
    /// - Parameters:
    ///   - x: the input `[B, C, ...]`.
    ///   - groups: divides `C`.
    ///   - weight: per-channel gain `[C]`, or nil.
    ///   - bias: per-channel offset `[C]`, or nil.
    ///   - eps: added to the variance.
    public static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        precondition(x.rank >= 2, "groupNorm: input must be [B, C, ...], got \(x.shape)")
        let c = x.shape[1]
        precondition(groups >= 1 && c % groups == 0, "groupNorm: \(groups) groups do not divide \(c) channels")
        let spatial = x.shape.dims.dropFirst(2).reduce(1, *)
        let layout = NormLayout(rows: x.shape[0] * groups, segments: c / groups, segmentLength: spatial, groups: groups)
        return normalize(x, weight: weight, bias: bias, eps: eps, layout: layout, paramCount: c)
    }

    /// Instance normalization (PyTorch `nn.InstanceNorm1d(C, affine: true)`, no running statistics):
    /// per batch item and channel, over the frames. Shapes: `[B, C, T]` -> `[B, C, T]`.
    public static func instanceNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        groupNorm(x, groups: x.shape[1], weight: weight, bias: bias, eps: eps)
    }

    /// Scale normalization (Nguyen & Salazar; FLASH / MossFormer2): `y = x / max(‖x‖₂ · C^(−1/2), eps) · g`
    /// over the last axis, with a scalar gain.
    ///
    /// Shapes: `x [..., C]`, `gain [1]` -> `[..., C]`.
    public static func scaleNorm(_ x: Tensor, gain: Tensor, eps: Float = 1e-5) -> Tensor {
        precondition(gain.count == 1, "scaleNorm: gain must be [1], got \(gain.shape)")
        let c = x.shape[-1]
        let rows = x.count / Swift.max(c, 1)
        let g = gain.item
        // Per row: rms = ‖x‖·C^(−1/2), y = x · g / max(rms, eps) (the inference paths' row kernel); `norms` keeps
        // rms for the backward pass.
        var norms = [Float](repeating: 0, count: rows)
        let values = [Float](unsafeUninitializedCapacity: x.count) { out, filled in
            x.withUnsafeBufferPointer { px in
                norms.withUnsafeMutableBufferPointer { pn in
                    Threading.parallelFor(rows, grain: Swift.max(1, Threading.parallelGrain / Swift.max(c, 1))) { range in
                        sk_scale_norm_rows(px.baseAddress!, c, out.baseAddress!, c, range.lowerBound, range.upperBound, c, 0, g, eps,
                                           pn.baseAddress!)
                    }
                }
            }
            filled = x.count
        }
        let out = Tensor(values, shape: x.shape)
        if Autograd.shouldRecord(x, gain) {
            out.record([x, gain]) { gradOut in
                // dx = (g/n)·(dy − [n > eps]·x·⟨dy, x⟩/(C·n²)) per row; dgain = Σ ⟨dy, x⟩/n.
                var dx = [Float](unsafeUninitializedCapacity: x.count) { _, n in n = x.count }
                var dots = [Float](repeating: 0, count: rows)
                dx.withUnsafeMutableBufferPointer { pd in
                    dots.withUnsafeMutableBufferPointer { pdot in
                        gradOut.withUnsafeBufferPointer { pg in
                            x.withUnsafeBufferPointer { px in
                                Threading.parallelFor(rows, grain: Swift.max(1, Threading.parallelGrain / Swift.max(c, 1))) { range in
                                    for r in range {
                                        let row = px.baseAddress! + r * c, dy = pg.baseAddress! + r * c, d = pd.baseAddress! + r * c
                                        var dot: Float = 0
                                        for i in 0..<c { dot = Relaxed.multiplyAdd(dy[i], row[i], dot) }
                                        let rms = norms[r], n = Swift.max(rms, eps)
                                        pdot[r] = dot / n
                                        let scale = g / n
                                        // The clamp passes the gradient where rms >= eps (as PyTorch's clamp).
                                        let k = rms < eps ? 0 : dot / (Float(c) * n * n)
                                        for i in 0..<c { d[i] = scale * (dy[i] - row[i] * k) }
                                    }
                                }
                            }
                        }
                    }
                }
                var dgain: Float = 0
                for v in dots { dgain += v }
                return [x.requiresGrad ? Tensor(dx, shape: x.shape) : nil,
                        gain.requiresGrad ? Tensor([dgain], shape: gain.shape) : nil]
            }
        }
        return out
    }

    private static func normalize(
        _ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float, layout: NormLayout, paramCount: Int
    ) -> Tensor {
        if let weight { precondition(weight.shape == [paramCount], "norm: weight \(weight.shape) != [\(paramCount)]") }
        if let bias { precondition(bias.shape == [paramCount], "norm: bias \(bias.shape) != [\(paramCount)]") }
        let n = layout.rowLength
        var means = [Float](repeating: 0, count: layout.rows)
        var rstds = [Float](repeating: 0, count: layout.rows)
        let grain = Swift.max(1, Threading.parallelGrain / Swift.max(n, 1))
        let values = [Float](unsafeUninitializedCapacity: x.count) { out, filled in
            x.withUnsafeBufferPointer { px in
                means.withUnsafeMutableBufferPointer { pm in
                    rstds.withUnsafeMutableBufferPointer { pr in
                        if layout.segmentLength == 1 {
                            // LayerNorm: the inference paths' row kernel (two-pass statistics, per-feature affine).
                            withOptionalPointer(weight) { pw in
                                withOptionalPointer(bias) { pb in
                                    Threading.parallelFor(layout.rows, grain: grain) { range in
                                        sk_layer_norm_rows(px.baseAddress!, n, out.baseAddress!, n, range.lowerBound, range.upperBound, n,
                                                           pw, pb, eps, pm.baseAddress!, pr.baseAddress!)
                                    }
                                }
                            }
                            return
                        }
                        let w = weight?.scalars, b = bias?.scalars
                        Threading.parallelFor(layout.rows, grain: grain) { range in
                            for row in range {
                                let base = row * n
                                let mean = blockedSum(px.baseAddress! + base, n) { $0 } / Double(Swift.max(n, 1))
                                let m = Float(mean)
                                let sq = blockedSum(px.baseAddress! + base, n) { ($0 - m) * ($0 - m) }
                                let rstd = Float(1 / (sq / Double(Swift.max(n, 1)) + Double(eps)).squareRoot())
                                pm[row] = m; pr[row] = rstd
                                let pbase = layout.paramBase(row)
                                for s in 0..<layout.segments {
                                    let gain = (w?[pbase + s] ?? 1) * rstd
                                    let shift = (b?[pbase + s] ?? 0) - m * gain
                                    let start = base + s * layout.segmentLength
                                    for i in start..<(start + layout.segmentLength) { out[i] = px[i] * gain + shift }
                                }
                            }
                        }
                    }
                }
            }
            filled = x.count
        }
        let out = Tensor(values, shape: x.shape)
        var parents = [x]
        if let weight { parents.append(weight) }
        if let bias { parents.append(bias) }
        if Autograd.shouldRecord(parents) {
            out.record(parents) { g in
                let w = weight?.scalars
                var dx = [Float](repeating: 0, count: x.count)
                let workers = Swift.max(1, Swift.min(Threading.elementwiseThreads, x.count / Threading.parallelGrain, layout.rows))
                let chunk = (layout.rows + workers - 1) / workers
                // Worker `k` accumulates its rows' affine gradients at `k * paramCount`.
                var dwParts = [Float](repeating: 0, count: workers * paramCount)
                var dbParts = [Float](repeating: 0, count: workers * paramCount)
                let gains = w ?? [Float](repeating: 1, count: paramCount)
                gains.withUnsafeBufferPointer { pgain in
                g.withUnsafeBufferPointer { pg in
                    x.withUnsafeBufferPointer { px in
                      dx.withUnsafeMutableBufferPointer { dx in
                       dwParts.withUnsafeMutableBufferPointer { dwAll in
                        dbParts.withUnsafeMutableBufferPointer { dbAll in
                         Threading.forkJoin(workers) { worker in
                          let dw = dwAll.baseAddress! + worker * paramCount, db = dbAll.baseAddress! + worker * paramCount
                          for row in (worker * chunk)..<Swift.min(layout.rows, (worker + 1) * chunk) {
                            let base = row * n, mean = means[row], rstd = rstds[row]
                            let pbase = layout.paramBase(row)
                            let xr = px.baseAddress! + base, gr = pg.baseAddress! + base, d = dx.baseAddress! + base
                            if layout.segmentLength == 1 {
                                // LayerNorm: every element is its own segment; vectorizable over the row.
                                var s1: Float = 0, s2: Float = 0
                                for i in 0..<n {
                                    let xhat = (xr[i] - mean) * rstd
                                    let dxhat = gr[i] * pgain[pbase + i]
                                    s1 = Relaxed.sum(s1, dxhat)
                                    s2 = Relaxed.multiplyAdd(dxhat, xhat, s2)
                                    dw[pbase + i] += gr[i] * xhat
                                    db[pbase + i] += gr[i]
                                }
                                let m1 = s1 / Float(n), m2 = s2 / Float(n)
                                for i in 0..<n {
                                    let xhat = (xr[i] - mean) * rstd
                                    d[i] = rstd * (gr[i] * pgain[pbase + i] - m1 - xhat * m2)
                                }
                                continue
                            }
                            var sum1 = 0.0, sum2 = 0.0
                            for s in 0..<layout.segments {
                                let gain = w?[pbase + s] ?? 1
                                let start = s * layout.segmentLength
                                // Σ g and Σ g·xhat over the segment, in Float blocks accumulated in Double.
                                let sb = blockedSum(gr + start, layout.segmentLength) { $0 }
                                let sgx = blockedSum2(gr + start, xr + start, layout.segmentLength) { gv, xv in gv * ((xv - mean) * rstd) }
                                sum1 += sb * Double(gain)
                                sum2 += sgx * Double(gain)
                                dw[pbase + s] += Float(sgx)
                                db[pbase + s] += Float(sb)
                            }
                            let m1 = Float(sum1 / Double(n)), m2 = Float(sum2 / Double(n))
                            for s in 0..<layout.segments {
                                let gain = w?[pbase + s] ?? 1
                                let start = s * layout.segmentLength
                                for i in start..<(start + layout.segmentLength) {
                                    let xhat = (xr[i] - mean) * rstd
                                    d[i] = rstd * (gr[i] * gain - m1 - xhat * m2)
                                }
                            }
                          }
                         }
                        }
                       }
                      }
                    }
                }
                }
                var dw = [Float](repeating: 0, count: paramCount), db = dw
                for k in 0..<workers {
                    for p in 0..<paramCount { dw[p] += dwParts[k * paramCount + p]; db[p] += dbParts[k * paramCount + p] }
                }
                var grads: [Tensor?] = [x.requiresGrad ? Tensor(dx, shape: x.shape) : nil]
                if let weight { grads.append(weight.requiresGrad ? Tensor(dw, shape: weight.shape) : nil) }
                if let bias { grads.append(bias.requiresGrad ? Tensor(db, shape: bias.shape) : nil) }
                return grads
            }
        }
        return out
    }
}

/// `Σ f(x[i])` over `n` elements: Float partial sums over blocks of 512 (reassociated, so they vectorize),
/// accumulated in Double (accurate for the 10⁵–10⁶-element rows of a global layer norm).
@inline(__always)
private func blockedSum(_ x: UnsafePointer<Float>, _ n: Int, _ f: (Float) -> Float) -> Double {
    var total = 0.0
    var start = 0
    while start < n {
        let end = Swift.min(n, start + 512)
        var s: Float = 0
        for i in start..<end { s = Relaxed.sum(s, f(x[i])) }
        total += Double(s)
        start = end
    }
    return total
}

/// `Σ f(a[i], b[i])` over `n` elements, blocked like ``blockedSum(_:_:_:)``.
@inline(__always)
private func blockedSum2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int, _ f: (Float, Float) -> Float) -> Double {
    var total = 0.0
    var start = 0
    while start < n {
        let end = Swift.min(n, start + 512)
        var s: Float = 0
        for i in start..<end { s = Relaxed.sum(s, f(a[i], b[i])) }
        total += Double(s)
        start = end
    }
    return total
}
