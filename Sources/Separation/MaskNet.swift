import NN
import TensorCore

/// The MossFormer2 mask network (the reference's `MossFormer_MaskNet`): gLN, 1×1 conv N→D, scaled sinusoidal
/// positions, R × (attention layer, gated FSMN block), LayerNorm (eps 1e-6), gLN and skip, PReLU, 1×1 conv D→C·D,
/// the tanh ⊙ sigmoid output gate, 1×1 conv D→N, ReLU.
///
/// Shapes: `[B, N, S] -> [C, B, N, S]` (one non-negative mask per speaker).
final class MaskNet: Layer {
    let norm: GroupNorm
    let inputConv: Conv1d
    let positions: ScaledSinusoidalEmbedding
    let attentionLayers: [MossFormerAttentionLayer]
    let fsmnBlocks: [GatedFSMNBlock]
    let finalNorm: LayerNorm
    let intraNorm: GroupNorm
    let activation: PReLU
    let outputConv: Conv1d
    let outputTanh: Conv1d
    let outputGate: Conv1d
    let decoderConv: Conv1d
    let speakers: Int
    var isTraining = true
    /// Receives named intermediate tensors (parity tests and debugging).
    var trace: ((String, Tensor) -> Void)? {
        didSet {
            for (i, layer) in attentionLayers.enumerated() {
                layer.trace = trace.map { t in { name, value in t("block\(i).\(name)", value) } }
            }
            for (i, block) in fsmnBlocks.enumerated() {
                block.trace = trace.map { t in { name, value in t("block\(i).\(name)", value) } }
            }
        }
    }

    private let configuration: MossFormer2Configuration

    init(configuration c: MossFormer2Configuration, dropout: Float, rng: inout SplitMix64) {
        configuration = c
        let n = c.encoderEmbeddingDim, d = c.mossformerSequenceDim
        norm = GroupNorm(groups: 1, channels: n, eps: 1e-8)
        inputConv = Conv1d(inputChannels: n, outputChannels: d, kernelSize: 1, bias: false, rng: &rng)
        positions = ScaledSinusoidalEmbedding(dims: d)
        attentionLayers = (0..<c.numMossformerLayer).map { MossFormerAttentionLayer(configuration: c, block: $0, dropout: dropout, rng: &rng) }
        fsmnBlocks = (0..<c.numMossformerLayer).map { GatedFSMNBlock(configuration: c, block: $0, dropout: dropout, rng: &rng) }
        finalNorm = LayerNorm(features: d, eps: 1e-6)
        intraNorm = GroupNorm(groups: 1, channels: d, eps: 1e-8)
        activation = PReLU()
        outputConv = Conv1d(inputChannels: d, outputChannels: c.numSpks * d, kernelSize: 1, rng: &rng)
        outputTanh = Conv1d(inputChannels: d, outputChannels: d, kernelSize: 1, rng: &rng)
        outputGate = Conv1d(inputChannels: d, outputChannels: d, kernelSize: 1, rng: &rng)
        decoderConv = Conv1d(inputChannels: d, outputChannels: n, kernelSize: 1, bias: false, rng: &rng)
        speakers = c.numSpks
    }

    var children: [(name: String, layer: any Layer)] {
        let stack = LayerGroup([
            ("layers", LayerGroup(attentionLayers.enumerated().map { ("\($0.offset)", $0.element as any Layer) })),
            ("fsmn", LayerGroup(fsmnBlocks.enumerated().map { ("\($0.offset)", $0.element as any Layer) })),
        ])
        return [
            ("norm", norm), ("conv1d_encoder", inputConv), ("pos_enc", positions),
            ("mdl", LayerGroup([("intra_mdl", LayerGroup([("mossformerM", stack), ("norm", finalNorm)])), ("intra_norm", intraNorm)])),
            ("prelu", activation), ("conv1d_out", outputConv), ("output", LayerGroup([("0", outputTanh)])),
            ("output_gate", LayerGroup([("0", outputGate)])), ("conv1_decoder", decoderConv),
        ]
    }

    /// - Parameters:
    ///   - workspace: the inference path's buffers and position tables (inference mode only; a temporary one when
    ///     nil). The autograd path needs none.
    ///   - gates: structural gates on the blocks (one ``MossFormer2BlockGates`` per block; nil: none). Gated passes
    ///     take the autograd path even in inference mode, so they use no workspace.
    func callAsFunction(_ encoded: Tensor, workspace: MossFormer2Workspace? = nil, gates: [MossFormer2BlockGates]? = nil) -> Tensor {
        let (b, n, s) = (encoded.shape[0], encoded.shape[1], encoded.shape[2])
        let normed = norm(encoded)
        trace?("masknet.norm.out", normed)
        let projected = inputConv(normed)
        trace?("masknet.conv1d_encoder.out", projected)
        let ws = Autograd.isInferenceMode && gates == nil ? workspace ?? MossFormer2Workspace(configuration: configuration) : nil
        let table = ws.map { positions(length: s, cache: &$0.positionTable) } ?? positions(length: s)   // [S, D]
        trace?("masknet.pos_emb", table)
        let skip = projected + table.transposed(0, 1).unsqueezed(0)
        trace?("masknet.posenc_added.out", skip)
        var x = skip.transposed(1, 2)                                        // [B, S, D]
        if let ws {
            x = inferBlocks(x, workspace: ws)
        } else {
            for (i, (attention, fsmn)) in zip(attentionLayers, fsmnBlocks).enumerated() {
                x = attention(x, gates: gates?[i])
                trace?("block\(i).flash.out", x)
                x = fsmn(x, gates: gates?[i])
                trace?("block\(i).fsmn.out", x)
            }
        }
        x = finalNorm(x)
        trace?("masknet.mossformerM.out", x)
        var y = intraNorm(x.transposed(1, 2)) + skip                       // [B, D, S]
        trace?("masknet.computation_block.out", y)
        y = activation(y)
        trace?("masknet.prelu.out", y)
        y = outputConv(y)                                                    // [B, C·D, S]
        trace?("masknet.conv1d_out.out", y)
        let d = y.shape[1] / speakers
        y = y.reshaped([b * speakers, d, s])
        y = outputTanh(y).tanh() * outputGate(y).sigmoid()
        trace?("masknet.gated_out", y)
        let masks = decoderConv(y).reshaped([b, speakers, n, s]).relu()
        return masks.transposed(0, 1)                                        // [C, B, N, S]
    }

    /// The R blocks in inference mode through the fused, allocation-free path (``MossFormerAttentionLayer``'s and
    /// ``GatedFSMNBlock``'s `infer`), one batch item at a time on the workspace's frames-first stream.
    /// Shapes: `[B, S, D] -> [B, S, D]`.
    private func inferBlocks(_ x: Tensor, workspace ws: MossFormer2Workspace) -> Tensor {
        precondition(ws.configuration == configuration, "MossFormer2: the workspace was made for another configuration")
        let (b, s, d) = (x.shape[0], x.shape[1], x.shape[2])
        let out = Tensor.uninitialized([b, s, d])
        do {
            ws.prepare(frames: s)
            for item in 0..<b {
                x.withUnsafeBufferPointer { px in ws.stream.update(from: px.baseAddress! + item * s * d, count: s * d) }
                for (i, (attention, fsmn)) in zip(attentionLayers, fsmnBlocks).enumerated() {
                    attention.infer(ws.stream, frames: s, workspace: ws)
                    trace?("block\(i).flash.out", MossFormer2Workspace.tensor(ws.stream, rows: s, cols: d, ld: d))
                    fsmn.infer(ws.stream, frames: s, workspace: ws)
                    trace?("block\(i).fsmn.out", MossFormer2Workspace.tensor(ws.stream, rows: s, cols: d, ld: d))
                }
                out.withUnsafeMutableBufferPointer { po in (po.baseAddress! + item * s * d).update(from: ws.stream, count: s * d) }
            }
        }
        return out
    }
}
