import AudioDatasets
import AudioIO
import SpeechSynthesis
import Voices

/// Speaks text with a voice's engine and delivers it at a corpus's rate, with silent edges trimmed.
public struct SpeechRenderer: Sendable {
    /// Output rate (Hz).
    public let sampleRate: Int

    public init(sampleRate: Int) { self.sampleRate = sampleRate }

    /// `text` spoken by `voice`, resampled to ``sampleRate`` and trimmed, `[n]`.
    /// - Throws: `SynthesisError` or `AudioIOError`.
    public func render(_ text: String, voice: Voice) throws -> [Float] {
        let speech = try SpeechEngines.speak(text, voice: voice)
        let resampled = try Resampler.resample(AudioBuffer(sampleRate: speech.sampleRate, mono: speech.samples), to: sampleRate).channels[0]
        return SignalLevel.trimmed(resampled)
    }
}
