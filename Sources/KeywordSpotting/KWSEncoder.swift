import NN
import TensorCore

/// The CAB-KWS-style encoder: log-mel windows to bottleneck embeddings.
///
/// `[B, T, M]` log-mel -> normalize with `input_mean`/`input_std` -> two ``ConvolutionBlock``s (`[B, T/4, M/4, C]`)
/// -> frames of width `E = C·M/4` -> ``AttentionSoftPooling`` over `g` frames -> + sinusoidal positions ->
/// `layers` pre-norm ``NN/TransformerEncoderLayer``s (GELU FFN, no internal dropout) -> LayerNorm -> the
/// ``KWSReadout`` (the last `r` frames concatenated `[B, r·E]`, or the mean of all frames `[B, E]`) -> (training:
/// dropout) -> linear bottleneck `[B, D]`.
///
/// Keys: `conv1.*`, `conv2.*`, `pool.score.*`, `transformer.<i>.*`, `norm.*`, `bottleneck.*` (and `bottleneck_log_variance.*` with
/// a variational bottleneck).
/// Dropout draws from a generator seeded per call, so a training step is a pure function of its seed.
public final class KWSEncoder: Layer {
    /// The sizes.
    public let configuration: KWSConfiguration
    /// First convolution block (1 -> C channels).
    public let conv1: ConvolutionBlock
    /// Second convolution block (C -> C).
    public let conv2: ConvolutionBlock
    /// Soft-pooling over `g` frames.
    public let pool: AttentionSoftPooling
    /// The Transformer layers.
    public let transformer: Sequential
    /// Final LayerNorm (the layers are pre-norm).
    public let norm: LayerNorm
    /// `r·E -> D`: the embedding (with a variational bottleneck, its mean `μ`).
    public let bottleneck: Linear
    /// `r·E -> D`: the log-variance `ln σ²` of a variational bottleneck (``KWSConfiguration/vibBeta`` set), else nil.
    public let bottleneckLogVariance: Linear?
    /// Training flag.
    public var isTraining = true
    private let positions: Tensor

    /// An encoder with seeded random weights.
    /// - Parameters:
    ///   - configuration: a validated configuration.
    ///   - rng: the generator.
    public init(configuration c: KWSConfiguration, rng: inout SplitMix64) {
        configuration = c
        conv1 = ConvolutionBlock(inputChannels: 1, channels: c.convChannels, groups: c.normGroups, rng: &rng)
        conv2 = ConvolutionBlock(inputChannels: c.convChannels, channels: c.convChannels, groups: c.normGroups, rng: &rng)
        let e = c.modelDimension
        pool = AttentionSoftPooling(features: e, groupSize: c.poolFrames, rng: &rng)
        var layers: [any UnaryLayer] = []
        for i in 0..<c.layers {
            layers.append(TransformerEncoderLayer(
                modelDimension: e, heads: c.attentionHeads(layer: i), headDimension: c.headDimension,
                feedForwardDimension: c.feedForwardDimension(layer: i), dropout: 0, activation: .gelu,
                normFirst: true, rng: &rng))
        }
        transformer = Sequential(layers)
        norm = LayerNorm(features: e)
        bottleneck = Linear(inputFeatures: c.readoutWidth, outputFeatures: c.bottleneckDimension, rng: &rng)
        positions = Tensor.sinusoidalPositions(length: c.pooledFrames, dims: e)
        // Drawn last, so the other weights of a seed do not depend on it. Small weights and a bias of −6 start
        // σ near 0.05, close to the deterministic network, as Alemi et al. start σ small (softplus(x − 5)).
        if c.vibBeta != nil {
            let bound = 0.1 / Float(c.readoutWidth).squareRoot()
            bottleneckLogVariance = Linear(
                weight: Tensor.randomUniform([c.bottleneckDimension, c.readoutWidth], low: -bound, high: bound, using: &rng, requiresGrad: true),
                bias: Tensor.full([c.bottleneckDimension], value: -6, requiresGrad: true))
        } else {
            bottleneckLogVariance = nil
        }
    }

    public var children: [(name: String, layer: any Layer)] {
        [("conv1", conv1), ("conv2", conv2), ("pool", pool), ("transformer", transformer), ("norm", norm), ("bottleneck", bottleneck)]
            + (bottleneckLogVariance.map { [("bottleneck_log_variance", $0 as any Layer)] } ?? [])
    }

    /// Embeddings without dropout: `[B, T, M] -> [B, D]`.
    public func callAsFunction(_ features: Tensor) -> Tensor { callAsFunction(features, dropoutSeed: nil) }

    /// Embeddings: `[B, T, M] -> [B, D]`.
    /// - Parameters:
    ///   - features: raw log-mel windows `[B, T, M]` (T and M as configured).
    ///   - dropoutSeed: when given and the encoder is training, seeds the dropout mask before the bottleneck.
    public func callAsFunction(_ features: Tensor, dropoutSeed: UInt64?) -> Tensor {
        encode(features, dropoutSeed: dropoutSeed).embedding
    }

    /// The Transformer's output tokens and the embeddings made from them.
    /// - Parameters:
    ///   - features: raw log-mel windows `[B, T, M]`.
    ///   - dropoutSeed: as for ``callAsFunction(_:dropoutSeed:)``.
    /// - Returns: `tokens [B, T'', E]` (after the final LayerNorm; token `j` sees chiefly the input frames
    ///   `framesPerToken · j ..< framesPerToken · (j+1)`) and `embedding [B, D]`.
    public func encode(_ features: Tensor, dropoutSeed: UInt64?) -> (tokens: Tensor, embedding: Tensor) {
        encode(features, dropoutSeed: dropoutSeed, tap: nil)
    }

    /// ``encode(_:dropoutSeed:)``, handing each named intermediate activation to `tap` as it is computed (see
    /// ``KWSEncoder/tapNames``): the one code path of the encoder.
    func encode(_ features: Tensor, dropoutSeed: UInt64?, tap: ((String, Tensor) -> Void)?) -> (tokens: Tensor, embedding: Tensor) {
        let parts = encodeParts(features, dropoutSeed: dropoutSeed, tap: tap)
        return (parts.tokens, parts.embedding)
    }

    /// ``encode(_:dropoutSeed:)`` with parts of the pass replaced (structured-pruning gates, `sepkws compress`).
    /// - Parameters:
    ///   - features: raw log-mel windows `[B, T, M]`.
    ///   - dropoutSeed: as for ``callAsFunction(_:dropoutSeed:)``.
    ///   - hooks: the replacements.
    public func encode(_ features: Tensor, dropoutSeed: UInt64?, hooks: KWSEncoderHooks) -> (tokens: Tensor, embedding: Tensor) {
        let parts = encodeParts(features, dropoutSeed: dropoutSeed, tap: nil, hooks: hooks)
        return (parts.tokens, parts.embedding)
    }

    /// The encoder's pass, also returning the bottleneck's input `readout` `[B, r·E]` (after dropout), for a
    /// training objective that reads it (the variational bottleneck of `Training`).
    public func encodeParts(_ features: Tensor, dropoutSeed: UInt64?, tap: ((String, Tensor) -> Void)?, hooks: KWSEncoderHooks = KWSEncoderHooks())
        -> (tokens: Tensor, readout: Tensor, embedding: Tensor)
    {
        let c = configuration
        precondition(features.rank == 3 && features.shape[1] == c.frontEnd.frameCount && features.shape[2] == c.frontEnd.melCount,
                     "KWSEncoder: features must be [B, \(c.frontEnd.frameCount), \(c.frontEnd.melCount)], got \(features.shape)")
        let b = features.shape[0]
        let x = normalized(features).unsqueezed(3)                                 // [B, T, M, 1]
        let first = conv1(x)                                                       // [B, T/2, M/2, C]
        tap?("conv1", first)
        let maps = conv2(first)                                                    // [B, T', M', C]
        tap?("conv2", maps)
        let frames = maps.reshaped([b, maps.shape[1], maps.shape[2] * maps.shape[3]])  // [B, T', E]
        var h = pool(frames) + positions                                            // [B, T'', E]
        tap?("pool", h)
        if tap != nil || hooks.transformerLayer != nil {
            for (i, layer) in transformer.layers.enumerated() {
                if let replace = hooks.transformerLayer, let encoderLayer = layer as? TransformerEncoderLayer {
                    h = replace(i, encoderLayer, h)
                } else {
                    h = layer(h)
                }
                tap?("transformer.\(i)", h)
            }
        } else {
            h = transformer(h)
        }
        h = norm(h)
        let t = h.shape[1]
        var selected = switch c.readout {
        case .lastFrames: h.sliced(axis: 1, (t - c.lastFrames)..<t).reshaped([b, c.readoutWidth])   // [B, r·E]
        case .meanTokens: h.mean(axis: 1)                                                           // [B, E]
        }
        tap?("readout", selected)
        if let dropoutSeed, isTraining, c.dropout > 0 {
            var rng = SplitMix64(seed: dropoutSeed)
            selected = selected.dropout(c.dropout, using: &rng)
        }
        var embedding = bottleneck(selected)
        if let transform = hooks.embedding { embedding = transform(embedding) }
        tap?("bottleneck", embedding)
        return (h, selected, embedding)
    }

    /// Input frames per output token: the two stride-2 convolutions times the pooling group.
    public var framesPerToken: Int { 4 * configuration.poolFrames }

    /// Log-mel windows as the encoder sees them: `(features − input_mean) / input_std`, same shape.
    public func normalized(_ features: Tensor) -> Tensor {
        (features - configuration.inputMean) * (1 / configuration.inputStd)
    }

    /// The reconstruction target of each window: its normalized log-mel averaged over time, `[B, T, M] -> [B, M]`.
    public func averagedInput(_ features: Tensor) -> Tensor {
        normalized(features).mean(axis: 1)
    }
}
