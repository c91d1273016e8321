import NN
import TensorCore

/// One MossFormer2 attention layer (the reference's `FLASH_ShareA_FFConvM`): token shift, ScaleNorm'd FFConvM
/// projections to `v, u` (2D each) and a shared `z` (Q), four OffsetScale heads (quadratic and linear queries and
/// keys) with rotary positions, squared-ReLU attention within groups of `g` frames plus linear attention over the
/// whole sequence, the crossed sigmoid gate, and a residual FFConvM projection back to D.
///
/// Shapes: `[B, S, D] -> [B, S, D]`.
final class MossFormerAttentionLayer: UnaryLayer {
    let toHidden: FFConvM
    let toQK: FFConvM
    let offsetScale: OffsetScale
    let toOut: FFConvM
    let rotary: RotaryEmbedding
    let attentionDropout: Dropout
    let groupSize: Int
    var isTraining = true
    /// Receives named intermediate tensors (parity tests and debugging).
    var trace: ((String, Tensor) -> Void)?

    /// Block `block`'s layer (its widths from ``MossFormer2Configuration/attentionHiddenDim(block:)`` and
    /// ``MossFormer2Configuration/queryKeyDim(block:)``).
    init(configuration c: MossFormer2Configuration, block: Int, dropout: Float, rng: inout SplitMix64) {
        let d = c.mossformerSequenceDim, hidden = 2 * c.attentionHiddenDim(block: block), q = c.queryKeyDim(block: block)
        toHidden = FFConvM(inputFeatures: d, outputFeatures: hidden, norm: .scale, kernelSize: c.convKernelSize, dropout: dropout, rng: &rng)
        toQK = FFConvM(inputFeatures: d, outputFeatures: q, norm: .scale, kernelSize: c.convKernelSize, dropout: dropout, rng: &rng)
        offsetScale = OffsetScale(heads: 4, features: q, rng: &rng)
        toOut = FFConvM(inputFeatures: hidden / 2, outputFeatures: d, norm: .scale, kernelSize: c.convKernelSize, dropout: dropout, rng: &rng)
        rotary = RotaryEmbedding(dims: c.rotaryDims)
        attentionDropout = Dropout(probability: dropout, seed: rng.next())
        groupSize = c.groupSize
    }

    var children: [(name: String, layer: any Layer)] {
        [("to_hidden", toHidden), ("to_qk", toQK), ("qk_offset_scale", offsetScale), ("to_out", toOut),
         ("rotary_pos_emb", rotary), ("dropout", attentionDropout)]
    }

    func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, gates: nil) }

    /// The layer with optional structural gates (``MossFormer2BlockGates``: `queryKey` scales the query heads'
    /// features, `hidden` the inputs of to_out's Linear after its ScaleNorm, `block` the residual branch).
    func callAsFunction(_ x: Tensor, gates: MossFormer2BlockGates?) -> Tensor {
        // Token shift: the first half of the features is delayed by one frame.
        let shifted = x.tokenShifted(delayedFeatures: x.shape[2] / 2)

        let hidden = toHidden(shifted)
        trace?("flash.to_hidden.out", hidden)
        let vu = hidden.chunked(2, axis: 2)
        let (v, u) = (vu[0], vu[1])
        let z = toQK(shifted)
        trace?("flash.to_qk.out", z)
        var heads = offsetScale(z)
        if let g = gates?.queryKey { heads[0] = heads[0] * g; heads[1] = heads[1] * g }   // quad_q, lin_q
        heads = heads.map { rotary($0) }
        let (attV, attU) = attention(quadQ: heads[0], linQ: heads[1], quadK: heads[2], linK: heads[3], v: v, u: u)
        trace?("flash.att_v", attV)
        trace?("flash.att_u", attU)
        let gated = Tensor.sigmoidGate(attU, v, attV, u)                  // (att_u ⊙ v) ⊙ σ(att_v ⊙ u)
        trace?("flash.gated", gated)
        guard let gates else { return x + toOut(gated) }
        let branch = toOut(gated, inputGate: gates.hidden)
        return x + (gates.block.map { branch * $0 } ?? branch)
    }

    /// Joint local (squared-ReLU within groups of `g` frames, divided by `g`) and global (linear, divided by the
    /// unpadded length `S`) attention, applied to both `v` and `u` with the same weights.
    /// - Parameters: queries/keys `[B, S, Q]`, values `[B, S, E]`.
    /// - Returns: `(attention applied to v, attention applied to u)`, each `[B, S, E]`.
    private func attention(quadQ: Tensor, linQ: Tensor, quadK: Tensor, linK: Tensor, v: Tensor, u: Tensor) -> (Tensor, Tensor) {
        let (b, s, e) = (v.shape[0], v.shape[1], v.shape[2])
        let g = groupSize
        let groups = (s + g - 1) / g
        let padding = groups * g - s
        func grouped(_ t: Tensor) -> Tensor {
            let padded = padding > 0 ? t.padded(axis: 1, before: 0, after: padding) : t
            return padded.reshaped([b * groups, g, t.shape[2]])
        }
        let (qq, qk, lq, lk, gv, gu) = (grouped(quadQ), grouped(quadK), grouped(linQ), grouped(linK), grouped(v), grouped(u))
        let similarity = Tensor.matmul(qq, qk, transposeB: true) * (1 / Float(g))   // [B·G, g, g]
        let weights = attentionDropout(similarity.squaredReLU())
        let localV = Tensor.matmul(weights, gv), localU = Tensor.matmul(weights, gu)  // [B·G, g, E]
        // Global: K^T V over every frame of every group, [B, Q, E].
        let q = lk.shape[2]
        let flatK = lk.reshaped([b, groups * g, q]), flatV = gv.reshaped([b, groups * g, e]), flatU = gu.reshaped([b, groups * g, e])
        let kv = Tensor.matmul(flatK, flatV, transposeA: true) * (1 / Float(s))
        let ku = Tensor.matmul(flatK, flatU, transposeA: true) * (1 / Float(s))
        let flatQ = lq.reshaped([b, groups * g, q])
        let outV = localV.reshaped([b, groups * g, e]) + Tensor.matmul(flatQ, kv)
        let outU = localU.reshaped([b, groups * g, e]) + Tensor.matmul(flatQ, ku)
        return (outV.sliced(axis: 1, 0..<s), outU.sliced(axis: 1, 0..<s))
    }
}
