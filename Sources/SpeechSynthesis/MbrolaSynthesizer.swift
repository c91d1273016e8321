import Foundation

/// MBROLA's recorded diphone speakers through espeak-ng's English front end (`espeak-ng -v mb-de3-en`): 4 native
/// speakers (US x3, UK) and 16 speaking English with the accent of their own language. Needs Debian's `mbrola` and
/// `mbrola-XX` packages (contrib/non-free; the databases are for non-commercial, non-military use).
public final class MbrolaSynthesizer: SpeechEngine {
    /// The one instance of the process.
    public static let shared = MbrolaSynthesizer()

    public var family: EngineFamily { .mbrola }

    /// espeak-ng's MBROLA voices that speak English, and the database each needs.
    public static let voices: [(voice: String, database: String)] = [
        ("mb-us1", "us1"), ("mb-us2", "us2"), ("mb-us3", "us3"), ("mb-en1", "en1"),
        ("mb-af1-en", "af1"), ("mb-de1-en", "de1"), ("mb-de2-en", "de2"), ("mb-de3-en", "de3"), ("mb-de4-en", "de4"),
        ("mb-de5-en", "de5"), ("mb-de6-en", "de6"), ("mb-fr1-en", "fr1"), ("mb-fr4-en", "fr4"), ("mb-gr2-en", "gr2"),
        ("mb-hu1-en", "hu1"), ("mb-nl2-en", "nl2"), ("mb-pl1-en", "pl1"), ("mb-ro1-en", "ro1"), ("mb-sw1-en", "sw1"),
        ("mb-sw2-en", "sw2"),
    ]

    private init() {}

    public func speakers() throws(SynthesisError) -> [String] {
        guard ChildProcess.exists("mbrola") else {
            throw .engineUnavailable(engine: .mbrola, reason: "the mbrola program is not installed")
        }
        let installed = Self.voices.filter { Self.databaseExists($0.database) }.map { "mbrola:\($0.voice)" }
        guard !installed.isEmpty else {
            throw .engineUnavailable(engine: .mbrola, reason: "no MBROLA voice database is installed (mbrola-us1, ...)")
        }
        return installed.sorted()
    }

    public func speak(_ text: String, voice: Voice) throws(SynthesisError) -> (samples: [Float], sampleRate: Int) {
        guard let entry = Self.voices.first(where: { $0.voice == voice.name }), Self.databaseExists(entry.database) else {
            throw .unknownVoice(voice.identity)
        }
        for (name, value, range) in [("pitch", voice.pitch, 0...99), ("rate", voice.rate, 80...450), ("amplitude", voice.amplitude, 0...200),
                                     ("word gap", voice.wordGap, 0...50)] where !range.contains(value) {
            throw .invalidParameter(name: name, value: value, range: range)
        }
        let output = try ChildProcess.run("espeak-ng", [
            "-v", voice.name, "-p", "\(voice.pitch)", "-s", "\(voice.rate)", "-a", "\(voice.amplitude)", "-g", "\(voice.wordGap)",
            "--stdout", "--", text,
        ]) { SynthesisError.engineFailed(engine: .mbrola, voice: voice.identity, reason: $0) }
        guard let wav = WAVDecoder.decode([UInt8](output)), !wav.samples.isEmpty else {
            throw .noAudio(text: text, voice: voice.identity)
        }
        return wav
    }

    /// Whether MBROLA's database `name` is installed (Debian puts it at `/usr/share/mbrola/NAME/NAME`).
    static func databaseExists(_ name: String) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: "/usr/share/mbrola/\(name)/\(name)") || fm.fileExists(atPath: "/usr/share/mbrola/\(name)")
    }
}
