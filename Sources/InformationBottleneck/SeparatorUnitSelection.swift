import Foundation
import Separation
import TensorCore

/// The structural units of a MossFormer2 separator that a compression keeps (indices into the parent's): blocks,
/// and per parent block its query/key channels, expansion units and FSMN hidden units; and how the smaller model
/// is built from them.
public struct SeparatorUnitSelection: Sendable, Equatable, Codable {
    /// Kept blocks, increasing.
    public var blocks: [Int]
    /// Per parent block, its kept query/key channels, increasing (the rotary ones always among them).
    public var queryKey: [[Int]]
    /// Per parent block, its kept expansion units, increasing.
    public var hidden: [[Int]]
    /// Per parent block, its kept FSMN hidden units, increasing.
    public var fsmnHidden: [[Int]]

    /// Everything of `configuration`.
    public init(keepingAllOf c: MossFormer2Configuration) {
        let all = 0..<c.numMossformerLayer
        blocks = Array(all)
        queryKey = all.map { Array(0..<c.queryKeyDim(block: $0)) }
        hidden = all.map { Array(0..<c.attentionHiddenDim(block: $0)) }
        fsmnHidden = all.map { Array(0..<c.fsmnHiddenDim(block: $0)) }
    }

    /// The smaller model's configuration: `parent`'s with the kept blocks and their widths
    /// (`attention_hidden_dims`, `query_key_dims`, `fsmn_hidden_dims`).
    public func configuration(from parent: MossFormer2Configuration) -> MossFormer2Configuration {
        var c = parent
        c.numMossformerLayer = blocks.count
        c.attentionHiddenDims = blocks.map { hidden[$0].count }
        c.queryKeyDims = blocks.map { queryKey[$0].count }
        c.fsmnHiddenDims = blocks.map { fsmnHidden[$0].count }
        return c
    }

    /// The smaller model's multiply-adds of one second of audio.
    public func multiplyAdds(parent: MossFormer2Configuration) -> Double {
        let c = configuration(from: parent)
        return c.multiplyAdds(samples: c.sampleRate)
    }

    /// The per-block key prefixes of a separator's state dict.
    static let stack = "mask_net.mdl.intra_mdl.mossformerM."

    /// The smaller separator: the kept rows and columns of the parent's weights with the gate means folded in, so that
    /// it computes what the gated parent computes at its gate means, up to to_out's ScaleNorm, which now normalises
    /// over the kept expansion units only (its gain is corrected by `√(E/E')·outScales[i]`, `outScales[i]` the
    /// typical `‖o_kept‖/‖o‖` of block `i`, 1 when unknown).
    /// - Parameters:
    ///   - parent: the gated network's weights.
    ///   - queryKeyScales: per parent block, `[Q_i]` gate means of the query channels (1 for the rotary ones).
    ///   - hiddenScales: per parent block, `[E_i]` gate means of the expansion units.
    ///   - fsmnHiddenScales: per parent block, `[H_i]` gate means of the FSMN hidden units.
    ///   - outScales: per parent block, the norm ratio above (nil: all 1).
    /// - Throws: `SeparationError` if the weights do not fit (a bug: the shapes follow from the configuration).
    public func prunedModel(
        parent: MossFormer2Separator, queryKeyScales: [[Float]], hiddenScales: [[Float]], fsmnHiddenScales: [[Float]],
        outScales: [Float]? = nil
    ) throws -> MossFormer2Separator {
        let c = parent.configuration
        var tensors: [String: Tensor] = [:]
        for (key, t) in parent.stateDict() {
            guard key.hasPrefix(Self.stack) else { tensors[key] = t; continue }
            let rest = key.dropFirst(Self.stack.count)                       // layers.3.to_qk... / fsmn.3.norm1...
            let kind = String(rest.prefix { $0 != "." })
            let afterKind = rest.dropFirst(kind.count + 1)
            guard let old = Int(afterKind.prefix { $0 != "." }), let new = blocks.firstIndex(of: old) else { continue }
            let field = String(afterKind.drop { $0 != "." }.dropFirst())
            let e = c.attentionHiddenDim(block: old)
            let keptE = hidden[old], keptQ = queryKey[old], keptH = fsmnHidden[old]
            let value: Tensor
            switch (kind, field) {
            case ("layers", "to_hidden.mdl.1.weight"), ("layers", "to_hidden.mdl.1.bias"), ("layers", "to_hidden.mdl.3.sequential.1.conv.weight"):
                value = PrunedTensors.rows(t, keptE + keptE.map { e + $0 })          // v rows, then u rows
            case ("layers", "to_qk.mdl.1.weight"), ("layers", "to_qk.mdl.1.bias"), ("layers", "to_qk.mdl.3.sequential.1.conv.weight"):
                value = PrunedTensors.rows(t, keptQ)
            case ("layers", "qk_offset_scale.gamma"), ("layers", "qk_offset_scale.beta"):
                // Heads quad_q, lin_q take the query gates; quad_k, lin_k are only cut.
                let scales = keptQ.map { queryKeyScales[old][$0] }
                let rows = (0..<t.shape[0]).map { head in
                    PrunedTensors.columns(t.sliced(axis: 0, head..<(head + 1)), keptQ, scales: head < 2 ? scales : nil)
                }
                value = Tensor.concatenated(rows, axis: 0)
            case ("layers", "to_out.mdl.0.g"):
                let ratio = (Double(e) / Double(keptE.count)).squareRoot() * Double(outScales?[old] ?? 1)
                value = PrunedTensors.scaled(t, Float(ratio))
            case ("layers", "to_out.mdl.1.weight"):
                value = PrunedTensors.columns(t, keptE, scales: keptE.map { hiddenScales[old][$0] })
            case ("fsmn", "gated_fsmn.fsmn.linear.weight"), ("fsmn", "gated_fsmn.fsmn.linear.bias"):
                value = PrunedTensors.rows(t, keptH)
            case ("fsmn", "gated_fsmn.fsmn.project.weight"):
                value = PrunedTensors.columns(t, keptH, scales: keptH.map { fsmnHiddenScales[old][$0] })
            default:
                value = t
            }
            tensors["\(Self.stack)\(kind).\(new).\(field)"] = value
        }
        let model = try MossFormer2Separator(configuration: configuration(from: c), dropout: 0)
        try model.load(tensors)
        return model
    }
}
