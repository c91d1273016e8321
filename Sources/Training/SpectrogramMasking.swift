import TensorCore

/// SpecAugment-style masks on log-mel windows: a few bands of frames and of mel bins set to a fill value (the
/// front end's mean, so a masked cell is 0 after the encoder's normalization). Masking a view hides part of its
/// content, so two views of a crop can only be matched by what the unmasked parts say about the whole.
///
/// ```swift
/// let masking = SpectrogramMasking()                                  // 8 time masks <= 20 frames, 2 mel masks <= 6 bins
/// masking.apply(to: features, fill: model.inputMean, using: &rng)     // features [B, T, M], in place
/// ```
public struct SpectrogramMasking: Sendable, Codable, Equatable {
    /// Time masks per window.
    public var timeMasks: Int
    /// Widest time mask (frames); each width is uniform in `0...maxFrames`.
    public var maxFrames: Int
    /// Mel-band masks per window.
    public var frequencyMasks: Int
    /// Widest mel-band mask (bins); each width is uniform in `0...maxBins`.
    public var maxBins: Int

    enum CodingKeys: String, CodingKey {
        case timeMasks = "time_masks", maxFrames = "max_frames", frequencyMasks = "frequency_masks", maxBins = "max_bins"
    }

    /// Masks; the defaults (`sepkws pretrain`'s, about 55% of a 1 s window's 101 frames hidden on average, and some
    /// of its 40 mels) are the heaviest we measured, and the best for masked-frame pretraining.
    public init(timeMasks: Int = 8, maxFrames: Int = 20, frequencyMasks: Int = 2, maxBins: Int = 6) {
        self.timeMasks = timeMasks; self.maxFrames = maxFrames; self.frequencyMasks = frequencyMasks; self.maxBins = maxBins
    }

    /// The light masks of supervised keyword training (`train-kws --spec-augment`): 2 time masks of up to 10 frames
    /// and 2 mel-band masks of up to 5 bins per window (SpecAugment's usual keyword-spotting scale: on average about
    /// a tenth of a 1 s window's frames and an eighth of its 40 mels hidden, so the word stays recognizable).
    public static let supervised = SpectrogramMasking(timeMasks: 2, maxFrames: 10, frequencyMasks: 2, maxBins: 5)

    /// Masks every window of `features` in place, each with its own draws.
    /// - Parameters:
    ///   - features: log-mel windows `[B, T, M]`.
    ///   - fill: the value of a masked cell.
    ///   - rng: the generator every mask is drawn from.
    public func apply(to features: Tensor, fill: Float, using rng: inout SplitMix64) {
        precondition(features.rank == 3, "SpectrogramMasking: features must be [B, T, M], got \(features.shape)")
        let (batch, frames, bins) = (features.shape[0], features.shape[1], features.shape[2])
        features.withUnsafeMutableBufferPointer { x in
            for b in 0..<batch {
                let window = x.baseAddress! + b * frames * bins
                for _ in 0..<timeMasks {
                    let (start, width) = Self.band(length: frames, maxWidth: maxFrames, &rng)
                    for t in start..<(start + width) { for m in 0..<bins { window[t * bins + m] = fill } }
                }
                for _ in 0..<frequencyMasks {
                    let (start, width) = Self.band(length: bins, maxWidth: maxBins, &rng)
                    for t in 0..<frames { for m in start..<(start + width) { window[t * bins + m] = fill } }
                }
            }
        }
    }

    /// Masks a batch of view pairs in place, first views then second views.
    /// - Parameters:
    ///   - first: log-mel of the first views `[N, T, M]`.
    ///   - second: log-mel of the second views `[N, T, M]`.
    ///   - fill: the value of a masked cell.
    ///   - keepingTarget: also return both batches as they were before masking.
    ///   - rng: the generator every mask is drawn from.
    /// - Returns: with `keepingTarget`, the unmasked views `[2N, T, M]` (`first` rows first), the masked-frame target.
    public func apply(toPair first: Tensor, _ second: Tensor, fill: Float, keepingTarget: Bool, using rng: inout SplitMix64) -> Tensor? {
        let unmasked = keepingTarget ? Tensor.concatenated([first, second], axis: 0) : nil
        apply(to: first, fill: fill, using: &rng)
        apply(to: second, fill: fill, using: &rng)
        return unmasked
    }

    /// A band `[start, start + width)` inside `0..<length`, width uniform in `0...min(maxWidth, length)`.
    private static func band(length: Int, maxWidth: Int, _ rng: inout SplitMix64) -> (start: Int, width: Int) {
        let width = min(Int(rng.next() % UInt64(max(maxWidth, 0) + 1)), length)
        let start = Int(rng.next() % UInt64(length - width + 1))
        return (start, width)
    }
}
