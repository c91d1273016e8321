import NN
import TensorCore

extension GatedFSMNBlock {
    /// The fused inference block on one item's frames-first rows, in place: `x ← x + block(x)`.
    ///
    /// Bottleneck GEMM with a PReLU epilogue; LayerNorm; to_u and to_v as one fused Linear + SiLU + depthwise conv
    /// of width 2F (their LayerNorm affines folded into the weights, so one normalization serves both); the FSMN's
    /// ReLU and projection GEMMs; the dilated memory frames-first (depthwise conv, InstanceNorm + PReLU in one
    /// kernel, the grouped conv as a depthwise conv over the pair-split concatenation `[o1 ; p]` whose two halves
    /// are summed inside the second InstanceNorm); the gated residual; LayerNorm; the output GEMM accumulating into
    /// `x`. Same trace names as the autograd path.
    ///
    /// Shapes: `x [S, D]` (the workspace's stream).
    func infer(_ x: UnsafeMutablePointer<Float>, frames s: Int, workspace ws: MossFormer2Workspace) {
        let b = ws.fsmn
        let (f, d) = (bottleneck.weight.shape[0], bottleneck.weight.shape[1])
        bottleneck.weight.withUnsafeBufferPointer { w in
            bottleneck.bias!.withUnsafeBufferPointer { bias in
                Inference.linear(x, lda: d, weight: w.baseAddress!, bias: bias.baseAddress!, into: b.squeezed, ldc: f, rows: s,
                                 inFeatures: d, outFeatures: f, preluSlope: bottleneckActivation.weight.item)
            }
        }
        trace?("fsmn.conv1.out", MossFormer2Workspace.tensor(b.squeezed, rows: s, cols: f, ld: f).transposed(1, 2))
        Self.layerNorm(b.squeezed, ld: f, into: b.normed, rows: s, cols: f, weight: norm1.weight, bias: norm1.bias, eps: norm1.eps)
        trace?("fsmn.norm1.out", MossFormer2Workspace.tensor(b.normed, rows: s, cols: f, ld: f).transposed(1, 2))

        // to_u | to_v: one normalization, affines folded into one [2F, F] weight.
        Self.layerNorm(b.normed, ld: f, into: b.standardized, rows: s, cols: f, weight: nil, bias: nil, eps: toU.layerNormLayer.eps)
        foldUV(into: ws, features: f)
        Inference.linearDepthwise(
            b.standardized, lda: f, weight: ws.weightUV, bias: ws.biasUV, activation: .silu, tapsFirst: ws.taps,
            taps: toU.convModule.conv.weight.shape[2], residual: true, accumulate: false, hidden: b.uvScratch, into: b.uv,
            rows: s, inFeatures: f, outFeatures: 2 * f)
        let (a, gate) = (b.uv, b.uv + f)
        if let trace {
            trace("fsmn.gated_fsmn.to_u.out", MossFormer2Workspace.tensor(a, rows: s, cols: f, ld: 2 * f))
            trace("fsmn.gated_fsmn.to_v.out", MossFormer2Workspace.tensor(gate, rows: s, cols: f, ld: 2 * f))
        }

        // The FSMN unit: p = project(relu(linear(a))), then the dilated memory.
        let unit = fsmn, h = unit.linear.weight.shape[0]
        unit.linear.weight.withUnsafeBufferPointer { w in
            unit.linear.bias!.withUnsafeBufferPointer { bias in
                Inference.linear(a, lda: 2 * f, weight: w.baseAddress!, bias: bias.baseAddress!, into: b.hidden, ldc: h,
                                 rows: s, inFeatures: f, outFeatures: h, activation: .relu)
            }
        }
        unit.project.weight.withUnsafeBufferPointer { w in
            Inference.linear(b.hidden, lda: h, weight: w.baseAddress!, bias: nil, into: b.projected, ldc: f, rows: s,
                             inFeatures: h, outFeatures: f)
        }
        denseMemory(b, ws: ws, frames: s, features: f)
        if let trace {
            trace("fsmn.gated_fsmn.fsmn.dense.out", MossFormer2Workspace.tensor(b.memory2, rows: s, cols: f, ld: f).transposed(1, 2))
            let memory = MossFormer2Workspace.tensor(b.memory2, rows: s, cols: f, ld: f)
            trace("fsmn.gated_fsmn.fsmn.out", MossFormer2Workspace.tensor(a, rows: s, cols: f, ld: 2 * f) + memory)
        }

        // unit = v ⊙ (a + memory) + n; LayerNorm; output GEMM added onto x.
        Threading.rows(s, work: 4 * s * f, (gate, a, b.memory2, b.normed, b.unit, f)) { p, lo, hi in
            for r in lo..<hi {
                RowKernels.gatedResidual(gate: p.0 + r * 2 * p.5, p.1 + r * 2 * p.5, p.2 + r * p.5, residual: p.3 + r * p.5,
                                         into: p.4 + r * p.5, count: p.5)
            }
        }
        trace?("fsmn.gated_fsmn.out", MossFormer2Workspace.tensor(b.unit, rows: s, cols: f, ld: f))
        Self.layerNorm(b.unit, ld: f, into: b.normed2, rows: s, cols: f, weight: norm2.weight, bias: norm2.bias, eps: norm2.eps)
        trace?("fsmn.norm2.out", MossFormer2Workspace.tensor(b.normed2, rows: s, cols: f, ld: f).transposed(1, 2))
        output.weight.withUnsafeBufferPointer { w in
            output.bias!.withUnsafeBufferPointer { bias in
                Inference.linear(b.normed2, lda: f, weight: w.baseAddress!, bias: bias.baseAddress!, into: x, ldc: d, rows: s,
                                 inFeatures: f, outFeatures: d, beta: 1)
            }
        }
    }

    /// The dilated dense memory (``DilatedDenseNet``) frames-first: `memory1 = conv1(p)`, `o1 = prelu1(norm1(·))`;
    /// the concatenation `[o1 ; p]` split into its even and odd channels (`pairs [S, 2F]`, group inputs side by side),
    /// one depthwise conv with dilation 2 over both halves, and `memory2 = prelu2(norm2(even half + odd half))`.
    private func denseMemory(_ b: MossFormer2Workspace.FSMNBuffers, ws: MossFormer2Workspace, frames s: Int, features f: Int) {
        let dense = fsmn.conv
        let taps1 = dense.conv1.weight.shape[2], taps2 = dense.conv2.weight.shape[2]
        Inference.tapsFirst(dense.conv1.weight, into: ws.denseTaps1, ld: f)
        Inference.tapsFirst(dense.conv2.weight, into: ws.denseTaps2, ld: 2 * f)
        DepthwiseFramesFirst.forward(x: b.projected, w: ws.denseTaps1, out: b.memory1, batch: 1, frames: s, channels: f,
                                     taps: taps1, dilation: dense.conv1.dilation, residual: false)
        Self.instanceNormPReLU(b.memory1, second: nil, ld: f, into: b.activated1, frames: s, channels: f, norm: dense.norm1,
                               prelu: dense.prelu1)
        let halfPairs = f / 2
        Threading.rows(s, work: 2 * s * f, (b.activated1, b.projected, b.pairs, f, halfPairs)) { p, lo, hi in
            RowKernels.deinterleavePairs(p.0, ldx: p.3, even: p.2, odd: p.2 + p.3, ldo: 2 * p.3, rows: lo, to: hi, pairs: p.4)
            RowKernels.deinterleavePairs(p.1, ldx: p.3, even: p.2 + p.4, odd: p.2 + p.3 + p.4, ldo: 2 * p.3, rows: lo, to: hi,
                                         pairs: p.4)
        }
        DepthwiseFramesFirst.forward(x: b.pairs, w: ws.denseTaps2, out: b.pairSums, batch: 1, frames: s, channels: 2 * f,
                                     taps: taps2, dilation: dense.conv2.dilation, residual: false)
        Self.instanceNormPReLU(b.pairSums, second: b.pairSums + f, ld: 2 * f, into: b.memory2, frames: s, channels: f,
                               norm: dense.norm2, prelu: dense.prelu2)
    }

    /// to_u and to_v's LayerNorm affines folded into one Linear: rows `o < F` are `W_u[o, i]·γ_u[i]`, rows `F + o`
    /// `W_v[o, i]·γ_v[i]`; bias `b[o] + Σ_i W[o, i]·β[i]`; their depthwise taps side by side in `ws.taps`.
    private func foldUV(into ws: MossFormer2Workspace, features f: Int) {
        for (index, branch) in [toU, toV].enumerated() {
            let norm = branch.layerNormLayer
            let rowOffset = index * f
            branch.linear.weight.withUnsafeBufferPointer { w in
                branch.linear.bias!.withUnsafeBufferPointer { bias in
                    (norm.weight ?? branch.linear.bias!).withUnsafeBufferPointer { gamma in
                        (norm.bias ?? branch.linear.bias!).withUnsafeBufferPointer { beta in
                            for o in 0..<f {
                                var shift = bias[o]
                                for i in 0..<f {
                                    let weight = w[o * f + i]
                                    ws.weightUV[(rowOffset + o) * f + i] = weight * (norm.weight == nil ? 1 : gamma[i])
                                    if norm.bias != nil { shift += weight * beta[i] }
                                }
                                ws.biasUV[rowOffset + o] = shift
                            }
                        }
                    }
                }
            }
            Inference.tapsFirst(branch.convModule.conv.weight, into: ws.taps + rowOffset, ld: 2 * f)
        }
    }

    /// LayerNorm of `rows` rows (row stride `ld`) into contiguous `out [rows, cols]`, split over the workers.
    private static func layerNorm(
        _ x: UnsafePointer<Float>, ld: Int, into out: UnsafeMutablePointer<Float>, rows: Int, cols: Int, weight: Tensor?,
        bias: Tensor?, eps: Float
    ) {
        func run(_ w: UnsafePointer<Float>?, _ b: UnsafePointer<Float>?) {
            Threading.rows(rows, work: rows * cols, (x, ld, out, cols, w, b, eps)) { a, lo, hi in
                RowKernels.layerNorm(a.0, ldx: a.1, into: a.2, ldo: a.3, rows: lo, to: hi, cols: a.3, weight: a.4, bias: a.5, eps: a.6)
            }
        }
        guard let weight, let bias else { run(nil, nil); return }
        weight.withUnsafeBufferPointer { w in bias.withUnsafeBufferPointer { b in run(w.baseAddress!, b.baseAddress!) } }
    }

    /// InstanceNorm over time + per-channel PReLU of frames-first `x (+ second)` (row stride `ld`), channel blocks
    /// split over the workers.
    private static func instanceNormPReLU(
        _ x: UnsafePointer<Float>, second: UnsafePointer<Float>?, ld: Int, into out: UnsafeMutablePointer<Float>,
        frames: Int, channels: Int, norm: InstanceNorm, prelu: PReLU
    ) {
        norm.weight!.withUnsafeBufferPointer { w in
            norm.bias!.withUnsafeBufferPointer { b in
                prelu.weight.withUnsafeBufferPointer { slopes in
                    let blocks = (channels + 15) / 16
                    let arguments = (x, second, ld, out, frames, channels, w.baseAddress!, b.baseAddress!, slopes.baseAddress!, norm.eps)
                    Threading.rows(blocks, work: 3 * frames * channels, arguments) { a, lo, hi in
                        RowKernels.instanceNormPReLU(
                            a.0, plus: a.1, ldx: a.2, into: a.3, ldo: a.5, frames: a.4, channels: lo * 16,
                            to: Swift.min(a.5, hi * 16), weight: a.6, bias: a.7, slopes: a.8, eps: a.9)
                    }
                }
            }
        }
    }
}
