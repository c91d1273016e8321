import AudioDatasets
import AudioIO
import SpeechSynthesis
import Voices

/// Speaks text with a voice's engine and delivers it at a corpus's rate, with silent edges trimmed.
public struct SpeechRenderer: Sendable {
    /// Output rate (Hz).
    public let sampleRate: Int

    public init(sampleRate: Int) { self.sampleRate = sampleRate }

    /// Renders tried before an engine's failure on one text stops a corpus build.
    public static let attempts = 4

    /// `text` spoken by `voice`, resampled to ``sampleRate`` and trimmed, `[n]`.
    ///
    /// An engine that fails on this text with this prosody (Festival's `text2wave` crashes on a few, mostly at fast
    /// rates) is asked again with the rate slowed and the pitch moved, up to ``attempts`` renders in all; `voice`
    /// then holds the prosody that spoke, for the corpus's metadata. Deterministic: the same failure gives the same
    /// retry.
    /// - Throws: `SynthesisError` (the last failure, or an engine that is not available) or `AudioIOError`.
    public func render(_ text: String, voice: inout Voice) throws -> [Float] {
        var attempt = 1
        var spoken = Result { () throws(SynthesisError) in try SpeechEngines.speak(text, voice: voice) }
        while case .failure(.engineFailed) = spoken, attempt < Self.attempts {
            attempt += 1
            voice.rate = max(80, voice.rate - 23)
            voice.pitch = (voice.pitch + 37) % 100
            let retry = voice
            spoken = Result { () throws(SynthesisError) in try SpeechEngines.speak(text, voice: retry) }
        }
        let speech = try spoken.get()
        let resampled = try Resampler.resample(AudioBuffer(sampleRate: speech.sampleRate, mono: speech.samples), to: sampleRate).channels[0]
        return SignalLevel.trimmed(resampled)
    }
}
