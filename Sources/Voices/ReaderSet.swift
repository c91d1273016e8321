/// Which speakers of a family read a corpus's English text: those with English letter-to-sound rules (the default),
/// voices of other languages reading the English with their own rules (an accent, at times a strong one, as a
/// learner reading aloud), or both. espeak-ng, MBROLA and Kokoro have accented readers
/// (``EngineFamily/espeakReaderLanguages``, ``EngineFamily/mbrolaReaderVoices``, ``EngineFamily/kokoroVoice(_:)``);
/// the other families read English only as they always do.
public enum ReaderSet: String, Sendable, Codable, CaseIterable {
    case english, accented, both
}
