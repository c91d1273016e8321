import AudioIO
import SpeechSynthesis

/// Speaks text with espeak-ng and delivers it at a corpus's rate, with silent edges trimmed.
public struct SpeechRenderer: Sendable {
    /// Output rate (Hz).
    public let sampleRate: Int

    public init(sampleRate: Int) { self.sampleRate = sampleRate }

    /// `text` spoken by `voice`, resampled to ``sampleRate`` and trimmed, `[n]`.
    /// - Throws: `SynthesisError` or `AudioIOError`.
    public func render(_ text: String, voice: Voice) throws -> [Float] {
        let synthesizer = EspeakSynthesizer.shared
        let speech = try synthesizer.synthesize(text, voice: voice)
        let rate = synthesizer.sampleRate
        let resampled = try Resampler.resample(AudioBuffer(sampleRate: rate, mono: speech), to: sampleRate).channels[0]
        return SignalLevel.trimmed(resampled)
    }
}
