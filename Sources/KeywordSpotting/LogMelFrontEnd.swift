import DSP
import TensorCore

/// Turns 1 s windows into the log-mel features the encoder reads (the DSP `FeatureExtractor`, centered framing:
/// 101 frames of 40 mels for the standard settings).
///
/// Not thread-safe (it owns FFT scratch): use one per thread.
/// ```swift
/// let frontEnd = try LogMelFrontEnd(KWSFrontEnd())
/// let x = frontEnd.batch([clip1, clip2])   // [2, 101, 40]
/// ```
public final class LogMelFrontEnd {
    /// The settings.
    public let settings: KWSFrontEnd
    private let extractor: FeatureExtractor

    /// A front end.
    /// - Throws: ``KeywordSpottingError/invalidConfiguration(field:value:reason:)``.
    public init(_ settings: KWSFrontEnd) throws(KeywordSpottingError) {
        try settings.validate()
        self.settings = settings
        do { extractor = try FeatureExtractor(kind: .logmel, configuration: settings.featureConfiguration) } catch {
            throw .invalidConfiguration(field: "front_end", value: "", reason: error.description)
        }
    }

    /// `samples` cut or zero-padded at the end to `length`.
    public static func fitted(_ samples: [Float], length: Int) -> [Float] {
        if samples.count == length { return samples }
        if samples.count > length { return Array(samples[0..<length]) }
        return samples + [Float](repeating: 0, count: length - samples.count)
    }

    /// Features of one window (fitted to `clip_samples` first): `[frames · mels]`, row-major `[frames, mels]`.
    public func features(_ clip: [Float]) -> [Float] {
        extractor.extract(Self.fitted(clip, length: settings.clipSamples)).values
    }

    /// Features of a batch of windows: `[B, frames, mels]`.
    public func batch(_ clips: [[Float]]) -> Tensor {
        var values: [Float] = []
        values.reserveCapacity(clips.count * settings.frameCount * settings.melCount)
        for clip in clips { values += features(clip) }
        return Tensor(values, shape: [clips.count, settings.frameCount, settings.melCount])
    }
}
