import AudioDatasets
import Training

/// Where a keyword-spotter compression's distillation draws its inputs when not from a fixed set of clean clips:
/// fresh windows every step, drawn as `train-kws` draws them (``Training/KeywordBatchSource``), so that the child
/// learns the parent's answers on the augmented, in-context windows the parent itself was trained on rather than on
/// the few thousand clean clips it would otherwise see again and again.
public struct DistillationWindows: Sendable, Equatable, Codable {
    /// The waveform augmentation (with `channel` for `--augment`).
    public var augmentation: AugmentationSettings
    /// Folders of running speech for stream context, or nil.
    public var contextFolders: [String]?
    /// The stream-context settings (with `contextFolders`).
    public var context: StreamContextSettings?
    /// Chance of a `_silence_` window.
    public var silenceShare: Double
    /// Chance of an `_unknown_` window.
    public var unknownShare: Double

    enum CodingKeys: String, CodingKey {
        case augmentation, contextFolders = "context_folders", context, silenceShare = "silence_share", unknownShare = "unknown_share"
    }

    /// `train-kws`'s draw: standard augmentation plus the channel augmentation, and with `contextFolders` stream
    /// context with a doubled `_unknown_` share.
    public init(contextFolders: [String]? = nil) {
        augmentation = AugmentationSettings(channel: SourceAugmentationSettings())
        self.contextFolders = contextFolders
        context = contextFolders == nil ? nil : StreamContextSettings()
        silenceShare = 0.1
        unknownShare = contextFolders == nil ? 0.1 : 0.2
    }
}
