import DSP

/// The keyword spotter's log-mel front end, as stored in `config.json` (`front_end`).
///
/// Framing: `center = true` (the signal is zero-padded by `n_fft / 2` on both sides, librosa's default), so a
/// 1 s clip at 16 kHz gives `1 + 16000 / 160 = 101` frames, and frame `t` is centered on sample `160·t`. A
/// streaming front end produces the same frames once it has seen `n_fft / 2` samples past a frame's center.
/// Features are `log(mel power + log_offset)` with 40 Slaney mel bands from `f_min` to `f_max`.
public struct KWSFrontEnd: Sendable, Codable, Equatable {
    /// Input rate (Hz).
    public var sampleRate: Int
    /// Samples per classified window (1 s).
    public var clipSamples: Int
    /// FFT length.
    public var nFFT: Int
    /// Hann window length (samples).
    public var windowLength: Int
    /// Hop (samples).
    public var hopLength: Int
    /// Centered frames (zero padding of `n_fft / 2` both sides).
    public var center: Bool
    /// Mel bands.
    public var melCount: Int
    /// Lowest mel edge (Hz).
    public var fMin: Double
    /// Highest mel edge (Hz).
    public var fMax: Double
    /// Added to the mel power before the log.
    public var logOffset: Float

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sampleRate = "sample_rate", clipSamples = "clip_samples", nFFT = "n_fft", windowLength = "win_length"
        case hopLength = "hop_length", center, melCount = "n_mels", fMin = "f_min", fMax = "f_max", logOffset = "log_offset"
    }

    /// The standard front end: 16 kHz, 1 s, n_fft 512, window 480 (30 ms), hop 160 (10 ms), centered, 40 mels 0-8 kHz.
    public init(
        sampleRate: Int = 16_000, clipSamples: Int = 16_000, nFFT: Int = 512, windowLength: Int = 480, hopLength: Int = 160,
        center: Bool = true, melCount: Int = 40, fMin: Double = 0, fMax: Double = 8_000, logOffset: Float = 1e-6
    ) {
        self.sampleRate = sampleRate; self.clipSamples = clipSamples; self.nFFT = nFFT; self.windowLength = windowLength
        self.hopLength = hopLength; self.center = center; self.melCount = melCount; self.fMin = fMin; self.fMax = fMax
        self.logOffset = logOffset
    }

    /// The DSP settings of this front end.
    public var featureConfiguration: FeatureConfiguration {
        FeatureConfiguration(
            sampleRate: sampleRate,
            stft: STFTConfiguration(nFFT: nFFT, windowLength: windowLength, hopLength: hopLength, window: .hann, center: center),
            melCount: melCount, mfccCount: melCount, fMin: fMin, fMax: fMax, melScale: .slaney, melNormalization: .slaney,
            power: 2, logOffset: logOffset)
    }

    /// Frames per window (101 for the standard front end).
    public var frameCount: Int { featureConfiguration.stft.frameCount(samples: clipSamples) }

    /// The window's length in seconds (`clipSamples / sampleRate`).
    public var clipSeconds: Double { Double(clipSamples) / Double(sampleRate) }

    /// Throws if a setting is impossible.
    /// - Throws: ``KeywordSpottingError/invalidConfiguration(field:value:reason:)``.
    public func validate() throws(KeywordSpottingError) {
        guard (1_000...192_000).contains(sampleRate) else {
            throw .invalidConfiguration(field: "front_end.sample_rate", value: "\(sampleRate)", reason: "must be 1000 to 192000 Hz")
        }
        guard clipSamples <= 10 * sampleRate else {
            throw .invalidConfiguration(field: "front_end.clip_samples", value: "\(clipSamples)", reason: "must be at most 10 s (\(10 * sampleRate))")
        }
        guard hopLength >= 1, clipSamples / hopLength <= KWSConfiguration.limits.frames else {
            throw .invalidConfiguration(field: "front_end.hop_length", value: "\(hopLength)",
                                        reason: "must give at most \(KWSConfiguration.limits.frames) frames per clip (clip_samples / hop_length)")
        }
        guard clipSamples >= nFFT else {
            throw .invalidConfiguration(field: "front_end.clip_samples", value: "\(clipSamples)", reason: "must be at least n_fft (\(nFFT))")
        }
        do { try featureConfiguration.validate() } catch {
            throw .invalidConfiguration(field: "front_end", value: "", reason: error.description)
        }
    }
}
