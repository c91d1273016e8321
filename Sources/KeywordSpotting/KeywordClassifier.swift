import NN
import TensorCore

/// The fine-tuned model: ``KWSEncoder`` and a linear classifier on the GELU of the bottleneck.
///
/// Keys: `encoder.*`, `classifier.weight [classes, D]`, `classifier.bias [classes]`.
/// Shapes: log-mel `[B, T, M]` -> logits `[B, classes]`.
public final class KeywordClassifier: Layer {
    /// The encoder.
    public let encoder: KWSEncoder
    /// `D -> classes`.
    public let classifier: Linear
    /// Training flag.
    public var isTraining = true

    /// A model with seeded random weights.
    public init(configuration: KWSConfiguration, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        encoder = KWSEncoder(configuration: configuration, rng: &rng)
        classifier = Linear(inputFeatures: configuration.bottleneckDimension, outputFeatures: configuration.classCount, rng: &rng)
    }

    public var children: [(name: String, layer: any Layer)] { [("encoder", encoder), ("classifier", classifier)] }

    /// The configuration.
    public var configuration: KWSConfiguration { encoder.configuration }

    /// Logits: `[B, T, M] -> [B, classes]`.
    /// - Parameters:
    ///   - features: raw log-mel windows.
    ///   - dropoutSeed: seeds training-time dropout (nil: none).
    public func callAsFunction(_ features: Tensor, dropoutSeed: UInt64? = nil) -> Tensor {
        classifier(encoder(features, dropoutSeed: dropoutSeed).gelu())
    }

    /// Copies the encoder weights of another model's tensors (keys `encoder.*`; other keys are ignored), strictly:
    /// every encoder key must be present with the right shape. The one exception is a variational bottleneck's
    /// `bottleneck_log_variance.*`: missing from an ordinary encoder's tensors, it keeps its initial values; present
    /// when this encoder has none, it is ignored (fine-tuning a VIB model without one).
    /// - Parameter tensors: a pretraining model's or a classifier's state dict.
    /// - Throws: `CheckpointError` naming missing or misshapen keys.
    public func loadEncoder(from tensors: [String: Tensor]) throws(CheckpointError) {
        var encoderTensors: [String: Tensor] = [:]
        for (key, t) in tensors where key.hasPrefix("encoder.") { encoderTensors[String(key.dropFirst(8))] = t }
        if let logVariance = encoder.bottleneckLogVariance {
            if encoderTensors["bottleneck_log_variance.weight"] == nil {
                for (key, t) in logVariance.stateDict() { encoderTensors["bottleneck_log_variance." + key] = t }
            }
        } else {
            encoderTensors = encoderTensors.filter { !$0.key.hasPrefix("bottleneck_log_variance.") }
        }
        try encoder.load(encoderTensors)
    }
}
