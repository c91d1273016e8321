import Foundation
import Voices

/// espeak-ng's phonemes of English text: many texts through one `espeak-ng` process (`-q -x --sep=_`, one clause
/// per line), each returned as a list of phoneme symbols in espeak-ng's ASCII notation with stress marks removed.
///
/// ```swift
/// let phonemes = try EspeakPhonemizer.phonemes(of: ["hey jarvis", "harvest"])
/// // [["h", "eI", "dZ", "A@", "v", "I", "s"], ["h", "A@", "v", "I", "s", "t"]]
/// ```
public enum EspeakPhonemizer {
    /// Phonemes of each text, in order.
    /// - Parameters:
    ///   - texts: words or phrases (line breaks and sentence punctuation inside one are read as spaces).
    ///   - voice: the espeak-ng voice whose pronunciation rules apply.
    /// - Returns: `[texts.count]` phoneme lists (empty for a text with nothing to say).
    /// - Throws: ``SynthesisError/unavailable(reason:)`` if espeak-ng cannot run, `.engineFailed` if its output does
    ///   not have one line per text.
    public static func phonemes(of texts: [String], voice: String = "en-us") throws(SynthesisError) -> [[String]] {
        guard !texts.isEmpty else { return [] }
        // A full stop ends each text's clause, so espeak-ng prints one line per text.
        let input = texts.map { text in
            String(text.map { $0.isNewline || ".!?;:".contains($0) ? " " : $0 }).trimmingCharacters(in: .whitespaces) + ".\n"
        }.joined()
        let output = try ChildProcess.run("espeak-ng", ["-q", "-x", "--sep=_", "-v", voice, "--stdin"], input: Data(input.utf8)) {
            SynthesisError.unavailable(reason: $0)
        }
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let usable = lines.last == "" ? Array(lines.dropLast()) : lines
        guard usable.count == texts.count else {
            throw .engineFailed(engine: .espeak, voice: voice, reason: "phonemes: \(usable.count) lines for \(texts.count) texts")
        }
        return usable.map(symbols(of:))
    }

    /// The phoneme symbols of one line of `espeak-ng -x --sep=_` output: split at `_` and spaces, stress and
    /// syllable marks (`'`, `,`, `%`, `=`) removed.
    public static func symbols(of line: String) -> [String] {
        line.split(whereSeparator: { $0 == "_" || $0 == " " }).map { String($0.filter { !"',%=".contains($0) }) }.filter { !$0.isEmpty }
    }
}
