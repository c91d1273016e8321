import Foundation
import Voices

/// Festival's voices with Festival's own front end (`text2wave`): the British English diphone speakers `rab` and
/// `don`, and diphone, cluster-unit and HTS speakers of other languages reading the English text with their own
/// letter-to-sound rules (an accent, at times a strong one). The voices Festival shares with other families (its
/// MBROLA front ends) and those reserved for evaluation (`kal`, `ked`, `slt`) are never used. The voices and their
/// folders: ``Voices/EngineFamily/festivalVoices``.
public final class FestivalSynthesizer: SpeechEngine {
    /// The one instance of the process.
    public static let shared = FestivalSynthesizer()

    public var family: EngineFamily { .festival }

    /// Voices that must never be used (reserved for evaluation).
    static let reserved: Set<String> = ["kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts", "cmu_us_kal_com_hts", "slt"]

    private init() {}

    public func speakers() throws(SynthesisError) -> [String] {
        guard ChildProcess.exists("text2wave") else {
            throw .engineUnavailable(engine: .festival, reason: "festival (text2wave) is not installed")
        }
        let installed = EngineFamily.festivalVoices.filter { Self.installed($0.folder) }.map { "festival:\($0.voice)" }
        guard !installed.isEmpty else { throw .engineUnavailable(engine: .festival, reason: "none of its voices is installed") }
        return installed.sorted()
    }

    public func speak(_ text: String, voice: Voice) throws(SynthesisError) -> (samples: [Float], sampleRate: Int) {
        guard !Self.reserved.contains(voice.name) else { throw .reservedVoice(voice.identity) }
        guard let entry = EngineFamily.festivalVoices.first(where: { $0.voice == voice.name }), Self.installed(entry.folder) else {
            throw .unknownVoice(voice.identity)
        }
        // Festival reads ISO-8859 text; keep the English to plain ASCII letters and punctuation.
        let ascii = String(text.unicodeScalars.filter { $0.isASCII && $0.value >= 32 }.map(Character.init))
        let stretch = min(2, max(0.5, 1 / voice.speed))
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("sepkws-festival-\(UUID().uuidString).wav").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        _ = try ChildProcess.run(
            "text2wave",
            ["-eval", "(voice_\(voice.name))", "-eval", "(Parameter.set 'Duration_Stretch \(String(format: "%.3f", stretch)))",
             "-o", output],
            input: Data(ascii.utf8)
        ) { SynthesisError.engineFailed(engine: .festival, voice: voice.identity, reason: $0) }
        return try WAVDecoder.speech(inFile: output, text: text, voice: voice)
    }

    static func installed(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: "/usr/share/festival/voices/\(folder)")
    }
}
