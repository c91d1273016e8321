import Voices

/// A text-to-speech engine family as SepKWS drives it: which speakers it offers on this machine, and English text
/// spoken by one of them. Every engine is deterministic (the same text and voice give the same samples), which is
/// what makes corpora reproducible and resumable. Calls are thread-safe and may run in parallel.
public protocol SpeechEngine: Sendable {
    /// The family this engine belongs to.
    var family: EngineFamily { get }
    /// The speakers this machine has, as ``Voice/identity`` strings, sorted.
    /// - Throws: ``SynthesisError/engineUnavailable(engine:reason:)`` (or `.unavailable` for espeak-ng) when the
    ///   engine is not installed.
    func speakers() throws(SynthesisError) -> [String]
    /// Speakers of other languages that read English text with their own rules (``Voices/ReaderSet/accented``), as
    /// ``Voice/identity`` strings, sorted; none for most engines.
    func accentedReaders() throws(SynthesisError) -> [String]
    /// Speaks `text` with `voice` (whose ``Voice/engine`` is this family).
    /// - Returns: mono samples in [-1, 1], `[n]`, at the engine's own rate.
    /// - Throws: ``SynthesisError`` for an unknown voice, a failing program, or no audio.
    func speak(_ text: String, voice: Voice) throws(SynthesisError) -> (samples: [Float], sampleRate: Int)
}

extension SpeechEngine {
    public func accentedReaders() throws(SynthesisError) -> [String] { [] }

    /// The speakers of `readers`: ``speakers()``, ``accentedReaders()`` or both, sorted.
    public func speakers(_ readers: ReaderSet) throws(SynthesisError) -> [String] {
        switch readers {
        case .english: try speakers()
        case .accented: try accentedReaders()
        case .both: try (speakers() + accentedReaders()).sorted()
        }
    }
}

/// The engines of this process, one shared instance per family.
public enum SpeechEngines {
    /// The engine of `family`.
    public static func engine(_ family: EngineFamily) -> any SpeechEngine {
        switch family {
        case .espeak: EspeakSynthesizer.shared
        case .mbrola: MbrolaSynthesizer.shared
        case .festival: FestivalSynthesizer.shared
        case .pico: PicoSynthesizer.shared
        case .kokoro: KokoroSynthesizer.shared
        }
    }

    /// Speaks `text` with `voice`'s engine.
    public static func speak(_ text: String, voice: Voice) throws(SynthesisError) -> (samples: [Float], sampleRate: Int) {
        try engine(voice.engine).speak(text, voice: voice)
    }
}
