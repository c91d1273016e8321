import Foundation
import Voices

/// MBROLA's recorded diphone speakers through espeak-ng's English front end (`espeak-ng -v mb-de3-en`): 4 native
/// speakers (US x3, UK) and 16 speaking English with the accent of their own language. Needs Debian's `mbrola` and
/// `mbrola-XX` packages (contrib/non-free; the databases are for non-commercial, non-military use). The voices and
/// their databases: ``Voices/EngineFamily/mbrolaVoices``.
public final class MbrolaSynthesizer: SpeechEngine {
    /// The one instance of the process.
    public static let shared = MbrolaSynthesizer()

    public var family: EngineFamily { .mbrola }

    private init() {}

    public func speakers() throws(SynthesisError) -> [String] {
        guard ChildProcess.exists("mbrola") else {
            throw .engineUnavailable(engine: .mbrola, reason: "the mbrola program is not installed")
        }
        let installed = EngineFamily.mbrolaVoices.filter { Self.databaseExists($0.database) }.map { "mbrola:\($0.voice)" }
        guard !installed.isEmpty else {
            throw .engineUnavailable(engine: .mbrola, reason: "no MBROLA voice database is installed (mbrola-us1, ...)")
        }
        return installed.sorted()
    }

    /// The installed MBROLA speakers reading English with their own language's rules (``Voices/EngineFamily/mbrolaReaderVoices``).
    public func accentedReaders() throws(SynthesisError) -> [String] {
        _ = try speakers()
        return EngineFamily.mbrolaReaderVoices.filter { Self.databaseExists($0.database) }.map { "mbrola:\($0.voice)" }.sorted()
    }

    public func speak(_ text: String, voice: Voice) throws(SynthesisError) -> (samples: [Float], sampleRate: Int) {
        guard let entry = (EngineFamily.mbrolaVoices + EngineFamily.mbrolaReaderVoices).first(where: { $0.voice == voice.name }), Self.databaseExists(entry.database) else {
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
