import KeywordSpotting

/// What ``KWSCompressor/compress(parent:parentName:features:settings:progress:)`` made.
public struct CompressionResult {
    /// The pruned, fine-tuned model (configuration with `compressed_from` and `compression_budget`).
    public var model: KeywordClassifier
    /// The kept units (indices into the parent's).
    public var selection: KWSUnitSelection
    /// The parent's multiply-adds per window.
    public var parentMultiplyAccumulates: Int
    /// The model's multiply-adds per window (at most `budget ×` the parent's).
    public var multiplyAccumulates: Int
    /// Share of the training clips on which the model's top class is the parent's.
    public var agreement: Double
}
