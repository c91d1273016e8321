/// Failures of the speech synthesizers, and of naming their engines and voices (``EngineFamily/list(_:)``,
/// ``Voice/init(identity:)``): one vocabulary for everything said about synthetic speakers, from a mistyped engine
/// list to a program that fails on one utterance.
public enum SynthesisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// espeak-ng could not run (not installed, or its data folder is missing or unreadable).
    case unavailable(reason: String)
    /// The voice name is not one espeak-ng knows.
    case unknownVoice(String)
    /// A parameter is out of espeak-ng's range.
    case invalidParameter(name: String, value: Int, range: ClosedRange<Int>)
    /// Synthesis ran but produced no audio.
    case noAudio(text: String, voice: String)
    /// A word in an engine list is not an engine.
    case unknownEngine(String)
    /// An optional engine is not installed or failed to start.
    case engineUnavailable(engine: EngineFamily, reason: String)
    /// An engine's program failed on one utterance.
    case engineFailed(engine: EngineFamily, voice: String, reason: String)
    /// The voice is reserved for evaluation and is never used for training data.
    case reservedVoice(String)
    /// The intelligibility judge (Whisper through faster-whisper) is not installed or cannot start.
    case judgeUnavailable(reason: String)
    /// The intelligibility judge failed on one clip.
    case judgeFailed(reason: String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "espeak-ng is not available: \(reason) (install espeak-ng)"
        case .unknownVoice(let name): "no voice \(name)"
        case .invalidParameter(let name, let value, let range): "espeak-ng \(name) \(value) is outside \(range)"
        case .noAudio(let text, let voice): "no audio for \"\(text)\" with voice \(voice)"
        case .unknownEngine(let name):
            "unknown engine \"\(name)\" (engines: \(EngineFamily.allCases.map(\.rawValue).joined(separator: ", ")), or all)"
        case .engineUnavailable(let engine, let reason):
            "engine \(engine.rawValue) is not available: \(reason) (bash Datasets/install-engines installs the optional engines)"
        case .engineFailed(let engine, let voice, let reason): "engine \(engine.rawValue), voice \(voice): \(reason)"
        case .reservedVoice(let name): "voice \(name) is reserved for evaluation and never used for training data"
        case .judgeUnavailable(let reason):
            "the intelligibility judge is not available: \(reason) (bash Datasets/install-engines installs faster-whisper and its model)"
        case .judgeFailed(let reason): "the intelligibility judge failed: \(reason)"
        }
    }
}
