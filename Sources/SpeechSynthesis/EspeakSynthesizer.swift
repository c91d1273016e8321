import Foundation
import Synchronization
import Voices

/// Text-to-speech with the `espeak-ng` program: English text in, mono speech out at espeak's rate (22,050 Hz),
/// scaled to `Float`.
///
/// Each utterance runs in a fresh `espeak-ng` process: the library keeps wave-generator state from one utterance to
/// the next (the same text and voice give different samples depending on what was said before), while a fresh
/// process always gives the same samples, which is what makes corpora deterministic and resumable. Calls are
/// thread-safe and may run in parallel.
///
/// ```swift
/// let speech = try EspeakSynthesizer.shared.synthesize("yes", voice: Voice(name: "en-us", variant: "f3"))
/// ```
public final class EspeakSynthesizer: SpeechEngine {
    public var family: EngineFamily { .espeak }

    /// The one synthesizer of the process.
    public static let shared = EspeakSynthesizer()

    /// espeak-ng's output rate (Hz).
    public let sampleRate = 22_050

    private let lists = Mutex<(voices: [String], variants: [String], readers: [String])?>(nil)

    private init() {}

    /// English voices that need no extra data (mbrola voices are left out), sorted.
    /// - Throws: ``SynthesisError/unavailable(reason:)`` if `espeak-ng` cannot be run.
    public func englishVoices() throws(SynthesisError) -> [String] { try voiceLists().voices }

    /// Every variant espeak-ng ships, sorted.
    public func variants() throws(SynthesisError) -> [String] { try voiceLists().variants }

    /// Whether `identity` (`voice` or `voice+variant`) names a voice (English, or an accented reader) and variant
    /// espeak-ng has.
    public func supports(_ identity: String) throws(SynthesisError) -> Bool {
        let parts = identity.split(separator: "+", maxSplits: 1).map(String.init)
        let lists = try voiceLists()
        return (lists.voices.contains(parts[0]) || lists.readers.contains(parts[0])) && (parts.count == 1 || lists.variants.contains(parts[1]))
    }

    /// The languages of ``Voices/EngineFamily/espeakReaderLanguages`` this espeak-ng has, each crossed with every
    /// variant (`cs`, `cs+f2`, ...), sorted: speakers reading English with another language's rules.
    public func accentedReaders() throws(SynthesisError) -> [String] {
        let lists = try voiceLists()
        return lists.readers.flatMap { voice in [voice] + lists.variants.map { "\(voice)+\($0)" } }.sorted()
    }

    /// Speaks `text`.
    /// - Returns: mono samples in [-1, 1] at ``sampleRate``, `[n]`.
    /// - Throws: ``SynthesisError`` for an unknown voice, a parameter out of range, or no audio.
    public func synthesize(_ text: String, voice: Voice) throws(SynthesisError) -> [Float] {
        for (name, value, range) in [
            ("pitch", voice.pitch, 0...99), ("rate", voice.rate, 80...450), ("amplitude", voice.amplitude, 0...200),
            ("word gap", voice.wordGap, 0...50),
        ] where !range.contains(value) {
            throw .invalidParameter(name: name, value: value, range: range)
        }
        guard try supports(voice.identity) else { throw .unknownVoice(voice.identity) }
        let output = try Self.run([
            "-v", voice.identity, "-p", "\(voice.pitch)", "-s", "\(voice.rate)", "-a", "\(voice.amplitude)",
            "-g", "\(voice.wordGap)", "--stdout", "--", text,
        ])
        let samples = WAVDecoder.decode([UInt8](output))?.samples ?? []
        guard !samples.isEmpty else { throw .noAudio(text: text, voice: voice.identity) }
        return samples
    }

    /// Every speaker identity (`voice` and `voice+variant`) of espeak-ng's English voices, sorted.
    public func speakers() throws(SynthesisError) -> [String] {
        let lists = try voiceLists()
        return lists.voices.flatMap { voice in [voice] + lists.variants.map { "\(voice)+\($0)" } }.sorted()
    }

    public func speak(_ text: String, voice: Voice) throws(SynthesisError) -> (samples: [Float], sampleRate: Int) {
        (try synthesize(text, voice: voice), sampleRate)
    }

    private func voiceLists() throws(SynthesisError) -> (voices: [String], variants: [String], readers: [String]) {
        if let lists = lists.withLock({ $0 }) { return lists }
        let voices = try Self.table(Self.run(["--voices=en"])).filter { language, file in
            language.hasPrefix("en") && !file.hasPrefix("mb/")
        }.map(\.language)
        let variants = try Self.table(Self.run(["--voices=variant"])).map { _, file in
            String(file.split(separator: "/").last ?? Substring(file))
        }
        let languages = Set(try Self.table(Self.run(["--voices"])).map(\.language))
        let readers = EngineFamily.espeakReaderLanguages.filter(languages.contains)
        let result = (voices: Array(Set(voices)).sorted(), variants: Array(Set(variants)).sorted(), readers: readers.sorted())
        lists.withLock { $0 = result }
        return result
    }

    /// `(language, file)` of each row of `espeak-ng --voices` output.
    private static func table(_ data: Data) -> [(language: String, file: String)] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count >= 5 ? (String(fields[1]), String(fields[4])) : nil
        }
    }

    /// Runs `espeak-ng` with `arguments` and returns its stdout.
    static func run(_ arguments: [String]) throws(SynthesisError) -> Data {
        try ChildProcess.run("espeak-ng", arguments) { SynthesisError.unavailable(reason: $0) }
    }
}
