import KeywordSpotting
import NN
import TensorCore

/// The deep variational information bottleneck (Alemi et al., 2017) on the classifier's bottleneck.
///
/// The encoder gives a Gaussian `p(z|x) = N(μ(x), diag σ²(x))` (`μ` from `bottleneck`, `ln σ²` from
/// `bottleneck_log_variance`); training samples `z = μ + σ·ε`, `ε ~ N(0, I)` (the reparameterisation), classifies
/// `z`, and adds to the cross-entropy `β · KL(N(μ, σ²) ‖ N(0, I))`, averaged over the batch:
///
///     KL = ½ Σ_d (μ_d² + σ_d² − 1 − ln σ_d²)
///
/// Inference classifies `μ`, which is the ordinary forward pass, so a VIB model loads and classifies with the same
/// code as any other.
extension KeywordClassifier {
    /// Logits for training and the KL term of a variational bottleneck.
    ///
    /// Without a variational bottleneck (``KWSConfiguration/vibBeta`` nil) or outside training this is exactly
    /// `(self(features, dropoutSeed:), nil)`.
    /// - Parameters:
    ///   - features: raw log-mel windows `[B, T, M]`.
    ///   - dropoutSeed: seeds dropout and (through a fixed mix) the bottleneck's noise `ε`.
    /// - Returns: logits `[B, classes]` and the batch-mean KL divergence (a scalar), or nil.
    public func trainingOutputs(_ features: Tensor, dropoutSeed: UInt64?) -> (logits: Tensor, klDivergence: Tensor?) {
        guard let logVarianceLayer = encoder.bottleneckLogVariance, isTraining, encoder.isTraining else {
            return (self(features, dropoutSeed: dropoutSeed), nil)
        }
        let parts = encoder.encodeParts(features, dropoutSeed: dropoutSeed, tap: nil)
        let mean = parts.embedding                                     // [B, D]
        let logVariance = logVarianceLayer(parts.readout)              // [B, D]
        var rng = SplitMix64(seed: (dropoutSeed ?? 0) ^ 0x5649_425F_4E4F_4953)
        let noise = Tensor.randomNormal(mean.shape, using: &rng)
        let sample = mean + (logVariance * 0.5).exp() * noise
        return (classifier(sample.gelu()), Self.klDivergence(mean: mean, logVariance: logVariance))
    }

    /// `KL(N(μ, σ²) ‖ N(0, I))` summed over the features and averaged over the batch: `[B, D]` twice -> scalar.
    public static func klDivergence(mean: Tensor, logVariance: Tensor) -> Tensor {
        let perFeature = (mean.squared() + logVariance.exp() - logVariance - 1) * 0.5
        return perFeature.sum(axis: 1).mean()
    }
}
