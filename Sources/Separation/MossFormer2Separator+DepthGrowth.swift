import Foundation
import NN
import TensorCore

extension MossFormer2Separator {
    /// The key prefixes of block `i`'s two halves (the attention layer and the gated FSMN block).
    static func blockPrefixes(_ i: Int) -> [String] {
        ["mask_net.mdl.intra_mdl.mossformerM.layers.\(i).", "mask_net.mdl.intra_mdl.mossformerM.fsmn.\(i)."]
    }

    /// Loads a shallower trained model's weights into the first blocks of this one and makes every further block an
    /// identity: growth in depth, so that a model that underfits gains capacity without losing its training.
    ///
    /// The checkpoint must hold exactly this configuration's keys and shapes except blocks `r..<R` (it holds blocks
    /// `0..<r`, `r <= R = num_mossformer_layer`). Those blocks keep their fresh random weights, but the last layer of
    /// each residual branch (the attention layer's `to_out` Linear and the FSMN block's `conv2`) is zeroed, so the
    /// grown model computes exactly what the checkpoint's model computes until training moves them; their gradients
    /// are not zero (the branches' inputs are not), so they start learning at the first step. With `r = R` this is
    /// ``loadWeights(path:)``.
    /// - Parameter path: a `model.safetensors` file (reference keys, F32/F16/BF16).
    /// - Returns: `r`, the number of blocks the checkpoint held.
    /// - Throws: ``SeparationError`` naming the file when it is missing or malformed, holds more blocks than this
    ///   model, or differs in any other key or shape; nothing is changed then.
    @discardableResult
    public func loadWeightsGrowingDepth(path: String) throws(SeparationError) -> Int {
        let tensors: [String: Tensor]
        do { tensors = MossFormer2WeightMap.normalized(try ModelDirectory.readWeights(file: path, format: Self.format).tensors) } catch {
            throw .modelDirectory(error)
        }
        let total = configuration.numMossformerLayer
        var held = 0
        while held < total, tensors.keys.contains(where: { $0.hasPrefix(Self.blockPrefixes(held)[0]) }) { held += 1 }
        let fresh = Set(stateDict().keys.filter { key in (held..<total).contains { i in Self.blockPrefixes(i).contains { key.hasPrefix($0) } } })
        let missing = stateDict().keys.filter { tensors[$0] == nil && !fresh.contains($0) }.sorted()
        let unexpected = tensors.keys.filter { stateDict()[$0] == nil }.sorted()
        guard missing.isEmpty, unexpected.isEmpty else {
            let reason = unexpected.contains(where: { $0.hasPrefix(Self.blockPrefixes(total)[0]) })
                ? "it holds more than this model's \(total) blocks; a model can grow in depth, not shrink"
                : "besides whole trailing blocks, it lacks \(missing.count) keys (first: \(missing.first ?? "-")) and has \(unexpected.count) unknown ones (first: \(unexpected.first ?? "-"))"
            throw .modelDirectory(.incompatibleWeights(path: path, reason: reason))
        }
        do { try load(tensors, strict: false) } catch { throw .modelDirectory(.incompatibleWeights(path: path, reason: error.description)) }
        for i in held..<total {
            let branchOutputs = [maskNet.attentionLayers[i].toOut.linear.weight, maskNet.attentionLayers[i].toOut.linear.bias,
                                 maskNet.fsmnBlocks[i].output.weight, maskNet.fsmnBlocks[i].output.bias]
            for case let tensor? in branchOutputs { tensor.assign([Float](repeating: 0, count: tensor.count)) }
        }
        return held
    }
}
