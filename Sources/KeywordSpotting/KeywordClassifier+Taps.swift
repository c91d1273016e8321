import NN
import TensorCore

extension KeywordClassifier {
    /// The names of the activations ``activations(_:)`` returns, in the order the network computes them:
    /// `conv1` `[B, T/2, M/2, C]`, `conv2` `[B, T/4, M/4, C]` (the convolution blocks), `pool` `[B, T'', E]` (after
    /// soft-pooling and positions), `transformer.<i>` `[B, T'', E]` (after each Transformer layer), `readout`
    /// (the frames the bottleneck reads, after the final LayerNorm), `bottleneck` `[B, D]` (the embedding) and
    /// `logits` `[B, classes]`.
    public var tapNames: [String] {
        ["conv1", "conv2", "pool"] + (0..<configuration.layers).map { "transformer.\($0)" } + ["readout", "bottleneck", "logits"]
    }

    /// The taps an information-plane analysis looks at by default: after each convolution block, after each
    /// Transformer layer, and the bottleneck.
    public var defaultTaps: [String] {
        ["conv1", "conv2"] + (0..<configuration.layers).map { "transformer.\($0)" } + ["bottleneck"]
    }

    /// Intermediate activations of one forward pass (no dropout; the same code path as ``callAsFunction(_:dropoutSeed:)``),
    /// each flattened to `[B, features]`.
    /// - Parameters:
    ///   - features: raw log-mel windows `[B, T, M]`.
    ///   - names: the taps wanted (a subset of ``tapNames``; unknown names are ignored).
    /// - Returns: the wanted activations by name, each `[B, features]`.
    public func activations(_ features: Tensor, names: Set<String>) -> [String: Tensor] {
        var found: [String: Tensor] = [:]
        let b = features.shape[0]
        let record: (String, Tensor) -> Void = { name, t in
            if names.contains(name) { found[name] = t.detached().reshaped([b, t.count / max(b, 1)]) }
        }
        let embedding = encoder.encode(features, dropoutSeed: nil, tap: record).embedding
        if names.contains("logits") { record("logits", classifier(embedding.gelu())) }
        return found
    }
}
