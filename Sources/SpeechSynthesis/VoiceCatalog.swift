/// Which part of a corpus a speaker belongs to.
public enum CorpusSplit: String, Sendable, Codable, CaseIterable {
    case train, dev, test
}

/// Every English speaker identity espeak-ng offers (voice + variant), split into disjoint train, dev and test sets,
/// so that test speakers are never heard in training.
///
/// The split is a fixed function of the identity (a hash), not of the seed or of which words are made, so that all
/// SepKWS corpora agree on which speakers are unseen.
public struct VoiceCatalog: Sendable {
    /// Speaker identities (`voice+variant`) per split, sorted.
    public let identities: [CorpusSplit: [String]]

    /// Builds the catalog from espeak-ng's English voices and variants.
    /// - Parameters:
    ///   - devFraction: share of identities for dev.
    ///   - testFraction: share of identities for test.
    /// - Throws: ``SynthesisError/unavailable(reason:)``.
    public init(devFraction: Double = 0.1, testFraction: Double = 0.15) throws(SynthesisError) {
        let synthesizer = EspeakSynthesizer.shared
        let voices = try synthesizer.englishVoices()
        let variants = [""] + (try synthesizer.variants())
        var split: [CorpusSplit: [String]] = [.train: [], .dev: [], .test: []]
        for voice in voices {
            for variant in variants {
                let identity = variant.isEmpty ? voice : "\(voice)+\(variant)"
                // FNV-1a of the identity -> a stable position in [0, 1).
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in identity.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                let position = Double(hash % 1_000_003) / 1_000_003
                let part: CorpusSplit = position < testFraction ? .test : position < testFraction + devFraction ? .dev : .train
                split[part, default: []].append(identity)
            }
        }
        identities = split.mapValues { $0.sorted() }
    }

    /// A speaker of `split` with prosody drawn at random: pitch 20-80, rate 120-230 wpm, amplitude
    /// 60-140, word gap 0-4 (x 10 ms).
    public func randomVoice(in split: CorpusSplit, using rng: inout some RandomNumberGenerator) -> Voice {
        let pool = identities[split] ?? []
        precondition(!pool.isEmpty, "no voices in \(split)")
        let identity = pool.randomElement(using: &rng)!
        let parts = identity.split(separator: "+", maxSplits: 1).map(String.init)
        return Voice(
            name: parts[0], variant: parts.count > 1 ? parts[1] : "",
            pitch: Int.random(in: 20...80, using: &rng),
            rate: Int.random(in: 120...230, using: &rng), amplitude: Int.random(in: 60...140, using: &rng),
            wordGap: Int.random(in: 0...4, using: &rng))
    }
}
