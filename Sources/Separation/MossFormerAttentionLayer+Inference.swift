import NN
import TensorCore

extension MossFormerAttentionLayer {
    /// The fused inference layer on one item's frames-first rows, in place: `x ← x + layer(x)`.
    ///
    /// Token shift and ScaleNorm in one pass (the projections' gains go into the GEMMs' alpha); to_hidden and to_qk
    /// as fused Linear + SiLU + depthwise conv; OffsetScale and rotary in one pass; the linear attention as two
    /// GEMMs over the whole sequence (`lin_q · (lin_kᵀ·[v | u] / S)`), the quadratic attention per group of `g`
    /// frames added onto it (`relu(q·kᵀ/g)² · [v | u]`, groups over the workers, the last group unpadded); the gate;
    /// to_out's ScaleNorm, and its FFConvM accumulating into `x`. Same trace names as the autograd path.
    ///
    /// Shapes: `x [S, D]` (the workspace's stream).
    func infer(_ x: UnsafeMutablePointer<Float>, frames s: Int, workspace ws: MossFormer2Workspace) {
        let buffers = ws.attention
        let d = toHidden.linear.weight.shape[1], width = toHidden.linear.weight.shape[0], half = width / 2
        let q = toQK.linear.weight.shape[0]
        let eps = toHidden.scaleNormLayer.eps
        Threading.rows(s, work: s * d, (x, buffers.normed, d, eps)) { a, lo, hi in
            RowKernels.scaleNorm(a.0, ldx: a.2, into: a.1, ldo: a.2, rows: lo, to: hi, cols: a.2, delayed: a.2 / 2, gain: 1, eps: a.3)
        }
        toHidden.inferNormalized(buffers.normed, lda: d, rows: s, alpha: toHidden.scaleNormLayer.gain.item, taps: ws.taps,
                                 hidden: buffers.attention, into: buffers.hidden, accumulate: false)
        toQK.inferNormalized(buffers.normed, lda: d, rows: s, alpha: toQK.scaleNormLayer.gain.item, taps: ws.taps,
                             hidden: buffers.attention, into: buffers.z, accumulate: false)
        if let trace {
            trace("flash.to_hidden.out", MossFormer2Workspace.tensor(buffers.hidden, rows: s, cols: width, ld: width))
            trace("flash.to_qk.out", MossFormer2Workspace.tensor(buffers.z, rows: s, cols: q, ld: q))
        }
        computeHeads(buffers.z, into: buffers.heads, frames: s, features: q, tables: rotary.tables(frames: s, cache: &ws.rotaryTables))

        // Linear attention over the whole sequence, then each group's quadratic attention added onto it.
        let (quadQ, linQ, quadK, linK) = (buffers.heads, buffers.heads + s * q, buffers.heads + 2 * s * q, buffers.heads + 3 * s * q)
        BLAS.sgemm(transA: true, m: q, n: width, k: s, alpha: 1 / Float(s), a: linK, b: buffers.hidden, c: ws.keyValues)
        BLAS.sgemm(m: s, n: width, k: q, a: linQ, b: ws.keyValues, c: buffers.attention)
        let groups = (s + groupSize - 1) / groupSize
        let workers = Swift.min(groups, ws.workers)
        Threading.forkJoin(workers, task: GroupAttentionTask(
            queries: quadQ, keys: quadK, values: buffers.hidden, attention: buffers.attention, scores: ws.scores,
            frames: s, groupSize: groupSize, features: q, width: width, groups: groups, workers: workers))

        // o = (att_u ⊙ v) ⊙ σ(att_v ⊙ u), then to_out (ScaleNorm, FFConvM) added onto x.
        Threading.rows(s, work: 4 * s * half, (buffers.attention, buffers.hidden, buffers.gated, half)) { a, lo, hi in
            for r in lo..<hi {
                let att = a.0 + r * 2 * a.3, vu = a.1 + r * 2 * a.3
                RowKernels.sigmoidGate(att + a.3, vu, att, vu + a.3, into: a.2 + r * a.3, count: a.3)
            }
        }
        if let trace {
            trace("flash.att_v", MossFormer2Workspace.tensor(buffers.attention, rows: s, cols: half, ld: width))
            trace("flash.att_u", MossFormer2Workspace.tensor(buffers.attention + half, rows: s, cols: half, ld: width))
            trace("flash.gated", MossFormer2Workspace.tensor(buffers.gated, rows: s, cols: half, ld: half))
        }
        Threading.rows(s, work: s * half, (buffers.gated, buffers.normed, half, toOut.scaleNormLayer.eps)) { a, lo, hi in
            RowKernels.scaleNorm(a.0, ldx: a.2, into: a.1, ldo: a.2, rows: lo, to: hi, cols: a.2, delayed: 0, gain: 1, eps: a.3)
        }
        toOut.inferNormalized(buffers.normed, lda: half, rows: s, alpha: toOut.scaleNormLayer.gain.item, taps: ws.taps,
                              hidden: buffers.hidden, into: x, accumulate: true)
    }

    /// OffsetScale's four heads with rotary positions, in one pass: `heads[i] = rotary(z ⊙ γ[i] + β[i])`.
    /// Shapes: `z [S, Q]`, `heads [4, S, Q]`; `tables` cover the `S` frames.
    private func computeHeads(
        _ z: UnsafePointer<Float>, into heads: UnsafeMutablePointer<Float>, frames s: Int, features q: Int, tables: RotaryTables
    ) {
        let count = offsetScale.gamma.shape[0]
        offsetScale.gamma.withUnsafeBufferPointer { gamma in
            offsetScale.beta.withUnsafeBufferPointer { beta in
                tables.cos.withUnsafeBufferPointer { cosines in
                    tables.sin.withUnsafeBufferPointer { sines in
                        let arguments = (z, heads, s, q, gamma.baseAddress!, beta.baseAddress!, cosines.baseAddress!,
                                         sines.baseAddress!, tables.rotaryDims, count)
                        Threading.rows(s, work: count * s * q, arguments) { a, lo, hi in
                            for head in 0..<a.9 {
                                let out = a.1 + head * a.2 * a.3
                                RowKernels.affine(a.0, ldx: a.3, into: out, ldo: a.3, rows: lo, to: hi, cols: a.3, scale: a.4 + head * a.3,
                                                  shift: a.5 + head * a.3)
                                RowKernels.rotary(out, into: out, rows: lo, to: hi, frames: a.2, features: a.3, rotated: a.8, cosines: a.6,
                                                  sines: a.7, sign: 1)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The quadratic attention of the fused path, one group of `g` frames at a time (groups dealt round-robin to the
/// workers, each with its own `[g, g]` scores): `attention[group] += relu(q·kᵀ / g)² · values[group]`. The last
/// group runs with its real length (padded keys would contribute zeros, padded queries are dropped anyway).
private struct GroupAttentionTask: ParallelTask {
    let queries: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>
    let attention: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>
    let frames: Int, groupSize: Int, features: Int, width: Int, groups: Int, workers: Int

    func run(worker: Int) {
        let a = scores + worker * groupSize * groupSize
        var group = worker
        while group < groups {
            let start = group * groupSize, n = Swift.min(groupSize, frames - start)
            BLAS.sgemm(transB: true, m: n, n: n, k: features, alpha: 1 / Float(groupSize), a: queries + start * features,
                       b: keys + start * features, c: a)
            RowKernels.biasActivation(a, rows: n, columns: n, activation: .squaredReLU)
            BLAS.sgemm(m: n, n: width, k: n, a: a, b: values + start * width, beta: 1, c: attention + start * width)
            group += workers
        }
    }
}
