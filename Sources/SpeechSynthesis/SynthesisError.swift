/// Failures of the speech synthesizer.
public enum SynthesisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libespeak-ng could not start (its data folder is missing or unreadable).
    case unavailable(reason: String)
    /// The voice name is not one espeak-ng knows.
    case unknownVoice(String)
    /// A parameter is out of espeak-ng's range.
    case invalidParameter(name: String, value: Int, range: ClosedRange<Int>)
    /// Synthesis ran but produced no audio.
    case noAudio(text: String, voice: String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "espeak-ng is not available: \(reason) (install espeak-ng)"
        case .unknownVoice(let name): "espeak-ng has no voice \(name)"
        case .invalidParameter(let name, let value, let range): "espeak-ng \(name) \(value) is outside \(range)"
        case .noAudio(let text, let voice): "espeak-ng produced no audio for \"\(text)\" with voice \(voice)"
        }
    }
}
