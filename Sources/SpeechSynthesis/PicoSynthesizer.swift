import Foundation
import Voices

/// SVOX Pico's HMM voices through `pico2wave` (Debian non-free `libttspico-utils`): the German, Spanish, French and
/// Italian speakers (all female) reading English with their own rules, an accent; pitch and rate through Pico's
/// markup. Its en-US and en-GB voices are reserved for evaluation and never used. The languages:
/// ``Voices/EngineFamily/picoLanguages``.
public final class PicoSynthesizer: SpeechEngine {
    /// The one instance of the process.
    public static let shared = PicoSynthesizer()

    public var family: EngineFamily { .pico }

    /// Pico's voices reserved for evaluation.
    static let reserved: Set<String> = ["en-US", "en-GB"]

    private init() {}

    public func speakers() throws(SynthesisError) -> [String] {
        guard ChildProcess.exists("pico2wave") else {
            throw .engineUnavailable(engine: .pico, reason: "pico2wave (libttspico-utils, non-free) is not installed")
        }
        return EngineFamily.picoLanguages.map { "pico:\($0)" }
    }

    public func speak(_ text: String, voice: Voice) throws(SynthesisError) -> (samples: [Float], sampleRate: Int) {
        guard !Self.reserved.contains(voice.name) else { throw .reservedVoice(voice.identity) }
        guard EngineFamily.picoLanguages.contains(voice.name) else { throw .unknownVoice(voice.identity) }
        // Pico's markup: pitch and speed levels in percent of the voice's own (50-200).
        let pitch = 60 + voice.pitch * 80 / 99, speed = Int((voice.speed * 100).rounded())
        let escaped = text.replacingOccurrences(of: "<", with: " ").replacingOccurrences(of: ">", with: " ")
        let marked = "<pitch level='\(pitch)'><speed level='\(min(200, max(50, speed)))'>\(escaped)</speed></pitch>"
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("sepkws-pico-\(UUID().uuidString).wav").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        _ = try ChildProcess.run("pico2wave", ["-l", voice.name, "-w", output, "--", marked]) {
            SynthesisError.engineFailed(engine: .pico, voice: voice.identity, reason: $0)
        }
        return try WAVDecoder.speech(inFile: output, text: text, voice: voice)
    }
}
