import KeywordSpotting
import TensorCore

/// The structural units of a keyword classifier that a compression keeps: Transformer layers, feed-forward units
/// per layer and bottleneck units (indices into the parent's), and how a pruned model is built from them.
public struct KWSUnitSelection: Sendable, Equatable, Codable {
    /// Kept Transformer layers, increasing.
    public var layers: [Int]
    /// Per parent layer, its kept feed-forward units, increasing (entries of dropped layers are ignored).
    public var feedForward: [[Int]]
    /// Kept bottleneck units, increasing.
    public var bottleneck: [Int]

    /// Everything of `configuration`.
    public init(keepingAllOf configuration: KWSConfiguration) {
        layers = Array(0..<configuration.layers)
        feedForward = (0..<configuration.layers).map { Array(0..<configuration.feedForwardDimension(layer: $0)) }
        bottleneck = Array(0..<configuration.bottleneckDimension)
    }

    /// The pruned model's configuration: `parent`'s with the kept layers, per-layer feed-forward widths
    /// (`ffn_dims`) and bottleneck width; no variational bottleneck, no thresholds.
    public func configuration(from parent: KWSConfiguration) -> KWSConfiguration {
        var c = parent
        c.layers = layers.count
        let widths = layers.map { feedForward[$0].count }
        c.feedForwardDimensions = widths
        c.feedForwardDimension = widths.max() ?? parent.feedForwardDimension
        c.bottleneckDimension = bottleneck.count
        c.vibBeta = nil
        c.thresholds = nil
        return c
    }

    /// The pruned network: the kept rows and columns of the parent's weights, with the gate means folded in (a
    /// layer's gate scales its attention output projection and second feed-forward linear, a feed-forward unit's
    /// gate its column of the second linear, a bottleneck unit's gate its row of the bottleneck), so that it
    /// computes what the gated parent computes with its gates at their means on the kept units.
    /// - Parameters:
    ///   - parent: the gated network's weights.
    ///   - layerScales: `[L]` gate means of the layers.
    ///   - feedForwardScales: per layer `[F_i]` gate means.
    ///   - bottleneckScales: `[D]` gate means.
    /// - Returns: the smaller classifier (its configuration from ``configuration(from:)``).
    /// - Throws: `CheckpointError` if the weights do not fit (a bug: the shapes follow from the configuration).
    public func prunedModel(
        parent: KeywordClassifier, layerScales: [Float], feedForwardScales: [[Float]], bottleneckScales: [Float]
    ) throws -> KeywordClassifier {
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
                let value: Tensor = switch field {
                case "linear1.weight": PrunedTensors.rows(t, units)
                case "linear1.bias": PrunedTensors.rows(t, units)
                case "linear2.weight": PrunedTensors.columns(t, units, scales: units.map { feedForwardScales[old][$0] * g })
                case "linear2.bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias": PrunedTensors.scaled(t, g)
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
        let model = KeywordClassifier(configuration: configuration(from: parent.configuration), seed: 0)
        try model.load(tensors)
        return model
    }
}
