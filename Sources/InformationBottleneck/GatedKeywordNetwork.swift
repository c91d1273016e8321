import KeywordSpotting
import NN
import TensorCore

/// A keyword classifier with ``StructuralGates`` on its prunable units, for `sepkws compress`: whole Transformer
/// layers (the gate scales both residual branches), the attention heads of each layer (on each head's output, before
/// the output projection), the feed-forward units of each layer (after the activation) and the bottleneck units
/// (after the bottleneck). The network's own layers are used as they are; the gates only
/// rewire its pass through ``KWSEncoderHooks``.
///
/// Shapes: log-mel `[B, T, M]` -> logits `[B, classes]`.
public final class GatedKeywordNetwork: Layer {
    /// The network being compressed (trained together with the gates).
    public let network: KeywordClassifier
    /// One gate per Transformer layer.
    public let layerGates: StructuralGates
    /// Per layer, one gate per attention head.
    public let headGates: [StructuralGates]
    /// Per layer, one gate per feed-forward unit.
    public let feedForwardGates: [StructuralGates]
    /// One gate per bottleneck unit.
    public let bottleneckGates: StructuralGates

    /// Gates (all on) around `network`.
    public init(network: KeywordClassifier) {
        self.network = network
        let c = network.configuration
        layerGates = StructuralGates(name: "layers", units: c.layers)
        headGates = (0..<c.layers).map { StructuralGates(name: "heads.\($0)", units: c.attentionHeads(layer: $0)) }
        feedForwardGates = (0..<c.layers).map { StructuralGates(name: "ffn.\($0)", units: c.feedForwardDimension(layer: $0)) }
        bottleneckGates = StructuralGates(name: "bottleneck", units: c.bottleneckDimension)
    }

    /// Every gate group.
    public var gates: [StructuralGates] { [layerGates] + headGates + feedForwardGates + [bottleneckGates] }

    public var isTraining = true

    /// The network (`network.*`); its parameters and the gates' (`gates.*`) are the trainable ones, checkpointed together.
    public var children: [(name: String, layer: any Layer)] { [("network", network)] }

    public var localParameters: [(name: String, tensor: Tensor)] { gates.flatMap(\.namedParameters).map { (name: $0.0, tensor: $0.1) } }

    /// Logits through the gates: sampled gates when `noiseSeed` is given (training), gate means otherwise.
    /// - Parameters:
    ///   - features: `[B, T, M]`.
    ///   - dropoutSeed: the network's dropout seed (nil: none).
    ///   - noiseSeed: the gates' noise seed (nil: gate means).
    public func callAsFunction(_ features: Tensor, dropoutSeed: UInt64?, noiseSeed: UInt64?) -> Tensor {
        let b = features.shape[0]
        var rng: SplitMix64? = noiseSeed.map { SplitMix64(seed: $0) }
        let layerValues = layerGates.values(batch: b, noise: &rng)                  // [B or 1, L]
        let headValues = headGates.map { $0.values(batch: b, noise: &rng) }         // [B or 1, H_i]
        let ffnValues = feedForwardGates.map { $0.values(batch: b, noise: &rng) }   // [B or 1, F_i]
        let bottleneckValues = bottleneckGates.values(batch: b, noise: &rng)        // [B or 1, D]
        var hooks = KWSEncoderHooks()
        hooks.transformerLayer = { index, layer, x in
            let rows = layerValues.shape[0]
            let g = layerValues.sliced(axis: 1, index..<(index + 1)).reshaped([rows, 1, 1])
            let units = ffnValues[index]
            let mask = units.reshaped([units.shape[0], 1, units.shape[1]])
            let h = x + layer.selfAttention(layer.norm1(x), mask: nil, headScales: headValues[index]) * g
            let hidden = layer.activation.apply(layer.linear1(layer.norm2(h))) * mask
            return h + layer.linear2(hidden) * g
        }
        hooks.embedding = { $0 * bottleneckValues }
        let embedding = network.encoder.encode(features, dropoutSeed: dropoutSeed, hooks: hooks).embedding
        return network.classifier(embedding.gelu())
    }

    /// The multiply-adds per window expected under the gates' keep probabilities (``StructuralGates/keepProbabilities()``),
    /// as a share of the ungated network's: a differentiable scalar, linear in the probabilities.
    public func expectedCostShare() -> Tensor {
        let c = network.configuration
        let full = Float(c.multiplyAccumulatesPerWindow)
        var cost = Tensor(Float(c.fixedMultiplyAccumulates))
        let layerKeep = layerGates.keepProbabilities()
        for i in 0..<c.layers {
            let units = feedForwardGates[i].keepProbabilities().sum() * Float(c.feedForwardUnitMultiplyAccumulates)
            let heads = headGates[i].keepProbabilities().sum() * Float(c.attentionHeadMultiplyAccumulates)
            cost = cost + layerKeep.sliced(axis: 0, i..<(i + 1)).reshaped([]) * (units + heads)
        }
        cost = cost + bottleneckGates.keepProbabilities().sum() * Float(c.bottleneckUnitMultiplyAccumulates)
        return cost * (1 / full)
    }

    /// The summed information cost of every gate.
    public func informationCost() -> Tensor {
        gates.map { $0.informationCost() }.reduce(Tensor(0)) { $0 + $1 }
    }
}
