/// The encodings SepKWS writes.
public enum AudioFileFormat: String, Sendable, CaseIterable, Codable {
    /// WAV, 16-bit signed PCM (samples clipped to [-1, 1]).
    case wav16
    /// WAV, 32-bit IEEE float.
    case wavFloat = "wav-float"
    /// FLAC, 16-bit.
    case flac
    /// OGG/Vorbis.
    case ogg
    /// AIFF, 16-bit signed PCM.
    case aiff
    /// Headerless 16-bit signed little-endian PCM (what `arecord -f S16_LE` produces).
    case s16le

    /// The format a file name asks for (`.wav` -> ``wav16``, `.flac`, `.ogg`, `.aif`/`.aiff`), or `nil`.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "wav", "wave": self = .wav16
        case "flac": self = .flac
        case "ogg", "oga": self = .ogg
        case "aif", "aiff": self = .aiff
        case "s16le", "pcm": self = .s16le
        default: return nil
        }
    }

    /// The usual file extension.
    public var fileExtension: String {
        switch self {
        case .wav16, .wavFloat: "wav"
        case .flac: "flac"
        case .ogg: "ogg"
        case .aiff: "aiff"
        case .s16le: "s16le"
        }
    }
}
