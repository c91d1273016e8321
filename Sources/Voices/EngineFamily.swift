import Foundation

/// A family of speech engines: engines that share a synthesis method and its recorded or trained data. Corpora
/// hold whole families out of training, so that a model is measured on voices made in a way it never heard.
public enum EngineFamily: String, Sendable, Codable, CaseIterable, Comparable {
    /// espeak-ng's formant synthesis: its English accents crossed with its variants (Klatt sources included).
    case espeak
    /// MBROLA's recorded diphone speakers, driven by espeak-ng's English front end (20 speakers, 16 with an accent).
    case mbrola
    /// Festival's diphone, cluster-unit and HTS voices with Festival's own front end: two British English speakers
    /// and speakers of other languages reading English (an accent).
    case festival
    /// SVOX Pico's HMM voices of German, Spanish, French and Italian reading English (its en-US and en-GB voices are
    /// reserved for evaluation and never used).
    case pico
    /// Kokoro-82M, a neural (StyleTTS 2 + iSTFTNet) synthesizer, speaking English from espeak-ng phonemes with
    /// speakers drawn from mixes and perturbations of its style vectors.
    case kokoro

    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    /// Parses `espeak,mbrola` (or `all`).
    /// - Throws: ``SynthesisError/unknownEngine(_:)`` naming a word that is not an engine.
    public static func list(_ text: String) throws(SynthesisError) -> [EngineFamily] {
        if text.trimmingCharacters(in: .whitespaces) == "all" { return allCases }
        var result: [EngineFamily] = []
        for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            let name = word == "espeak-ng" ? "espeak" : word
            guard let family = EngineFamily(rawValue: name) else { throw .unknownEngine(word) }
            if !result.contains(family) { result.append(family) }
        }
        guard !result.isEmpty else { throw .unknownEngine(text) }
        return result
    }
}
