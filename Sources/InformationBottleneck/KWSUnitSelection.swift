import KeywordSpotting
import TensorCore

/// The structural units of a keyword classifier that a compression keeps: Transformer layers, attention heads and
/// feed-forward units per layer and bottleneck units (indices into the parent's), and how a pruned model is built
/// from them.
public struct KWSUnitSelection: Sendable, Equatable, Codable {
    /// Kept Transformer layers, increasing.
    public var layers: [Int]
    /// Per parent layer, its kept attention heads, increasing (entries of dropped layers are ignored).
    public var heads: [[Int]]
    /// Per parent layer, its kept feed-forward units, increasing (entries of dropped layers are ignored).
    public var feedForward: [[Int]]
    /// Kept bottleneck units, increasing.
    public var bottleneck: [Int]

    /// Everything of `configuration`.
    public init(keepingAllOf configuration: KWSConfiguration) {
        layers = Array(0..<configuration.layers)
        heads = (0..<configuration.layers).map { Array(0..<configuration.attentionHeads(layer: $0)) }
        feedForward = (0..<configuration.layers).map { Array(0..<configuration.feedForwardDimension(layer: $0)) }
        bottleneck = Array(0..<configuration.bottleneckDimension)
    }

    /// The pruned model's configuration: `parent`'s with the kept layers, per-layer attention heads
    /// (`attention_heads`, left out when every layer keeps all of `heads`), per-layer feed-forward widths (`ffn_dims`)
    /// and bottleneck width; no variational bottleneck, no thresholds.
    public func configuration(from parent: KWSConfiguration) -> KWSConfiguration {
        var c = parent
        c.layers = layers.count
        let widths = layers.map { feedForward[$0].count }
        c.feedForwardDimensions = widths
        c.feedForwardDimension = widths.max() ?? parent.feedForwardDimension
        let counts = layers.map { heads[$0].count }
        c.attentionHeads = counts.allSatisfy { $0 == parent.heads } ? nil : counts
        c.bottleneckDimension = bottleneck.count
        c.vibBeta = nil
        c.thresholds = nil
        return c
    }

    /// The pruned network: the kept rows and columns of the parent's weights, with the gate means folded in (a
    /// layer's gate scales its attention output projection and second feed-forward linear, a feed-forward unit's
    /// gate its column of the second linear, a bottleneck unit's gate its row of the bottleneck), so that it
    /// computes what the gated parent computes with its gates at their means on the kept units. A head keeps its
    /// query, key and value rows of `in_proj_*` and its columns of `out_proj.weight`, times its gate mean.
    /// - Parameters:
    ///   - parent: the gated network's weights.
    ///   - layerScales: `[L]` gate means of the layers.
    ///   - headScales: per layer `[H_i]` gate means.
    ///   - feedForwardScales: per layer `[F_i]` gate means.
    ///   - bottleneckScales: `[D]` gate means.
    /// - Returns: the smaller classifier (its configuration from ``configuration(from:)``).
    /// - Throws: `CheckpointError` if the weights do not fit (a bug: the shapes follow from the configuration).
    public func prunedModel(
        parent: KeywordClassifier, layerScales: [Float], headScales: [[Float]], feedForwardScales: [[Float]], bottleneckScales: [Float]
    ) throws -> KeywordClassifier {
        let c = parent.configuration, d = c.headDimension
        let source = parent.stateDict()
        var tensors: [String: Tensor] = [:]
        let prefix = "encoder.transformer."
        for (key, t) in source {
            if key.hasPrefix("encoder.bottleneck_log_variance.") { continue }
            if key.hasPrefix(prefix) {
                let rest = key.dropFirst(prefix.count)
                guard let old = Int(rest.prefix { $0 != "." }), let new = layers.firstIndex(of: old) else { continue }
                let field = String(rest.drop { $0 != "." }.dropFirst())
                let units = feedForward[old], g = layerScales[old]
                let headCount = c.attentionHeads(layer: old)
                let headRows = heads[old].flatMap { h in (h * d)..<((h + 1) * d) }                  // of one of q, k, v
                let projectionRows = (0..<3).flatMap { part in headRows.map { part * headCount * d + $0 } }
                let headColumnScales = heads[old].flatMap { h in [Float](repeating: headScales[old][h] * g, count: d) }
                let value: Tensor = switch field {
                case "linear1.weight": PrunedTensors.rows(t, units)
                case "linear1.bias": PrunedTensors.rows(t, units)
                case "linear2.weight": PrunedTensors.columns(t, units, scales: units.map { feedForwardScales[old][$0] * g })
                case "self_attn.in_proj_weight", "self_attn.in_proj_bias": PrunedTensors.rows(t, projectionRows)
                case "self_attn.out_proj.weight": PrunedTensors.columns(t, headRows, scales: headColumnScales)
                case "linear2.bias", "self_attn.out_proj.bias": PrunedTensors.scaled(t, g)
                default: t
                }
                tensors["\(prefix)\(new).\(field)"] = value
            } else if key == "encoder.bottleneck.weight" || key == "encoder.bottleneck.bias" {
                tensors[key] = PrunedTensors.rows(t, bottleneck, scales: bottleneck.map { bottleneckScales[$0] })
            } else if key == "classifier.weight" {
                tensors[key] = PrunedTensors.columns(t, bottleneck, scales: nil)
            } else {
                tensors[key] = t
            }
        }
        let model = KeywordClassifier(configuration: configuration(from: c), seed: 0)
        try model.load(tensors)
        return model
    }
}
