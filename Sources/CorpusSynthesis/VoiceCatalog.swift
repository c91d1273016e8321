import AudioDatasets
import SpeechSynthesis
import Voices

/// The speakers of one or more engine families, split into disjoint train, dev and test sets, so that test
/// speakers are never heard in training; or, for an engine family held out of training as a whole, every speaker
/// in every split (the family itself is what is unseen).
///
/// The split is a fixed function of the speaker identity (a hash), not of the seed or of which words are made, so
/// that all SepKWS corpora agree on which speakers are unseen. espeak-ng's identities keep the positions they had
/// before other engines existed, so espeak-only corpora are unchanged.
public struct VoiceCatalog: Sendable {
    /// The engine families, in the order given.
    public let engines: [EngineFamily]
    /// Speaker identities (``Voice/identity``) per split, sorted.
    public let identities: [CorpusSplit: [String]]
    /// The same per engine family.
    public let identitiesByEngine: [EngineFamily: [CorpusSplit: [String]]]

    /// Builds the catalog from the engines' speakers on this machine.
    /// - Parameters:
    ///   - engines: the engine families (default espeak-ng alone).
    ///   - readers: which of their speakers read (``ReaderSet``; accented readers exist for espeak-ng, MBROLA and Kokoro).
    ///   - everySpeakerInEverySplit: put every speaker in every split (for a corpus of engines held out of
    ///     training, whose speakers no model heard).
    ///   - devFraction: share of identities for dev.
    ///   - testFraction: share of identities for test.
    /// - Throws: ``SynthesisError`` when an engine is not available or has no speakers of `readers`.
    public init(engines: [EngineFamily] = [.espeak], readers: ReaderSet = .english, everySpeakerInEverySplit: Bool = false,
                devFraction: Double = 0.1, testFraction: Double = 0.15) throws(SynthesisError) {
        var byEngine: [EngineFamily: [CorpusSplit: [String]]] = [:]
        for engine in engines {
            let source = SpeechEngines.engine(engine)
            let speakers = try source.speakers(readers)
            guard !speakers.isEmpty else { throw .engineUnavailable(engine: engine, reason: "it has no \(readers.rawValue) readers") }
            var split: [CorpusSplit: [String]] = [.train: [], .dev: [], .test: []]
            if everySpeakerInEverySplit {
                for part in CorpusSplit.allCases { split[part] = speakers }
            } else {
                // The English readers' split, whichever readers are asked for: an accented reader that is the same
                // recorded speaker as an English one (MBROLA's databases) goes where that speaker is.
                let englishSpeakers = readers == .english ? speakers : try source.speakers()
                let english = Self.split(englishSpeakers, hashEach: engine == .espeak, devFraction: devFraction, testFraction: testFraction)
                let wanted = Set(speakers)
                for (part, identities) in english { split[part] = identities.filter(wanted.contains) }
                let placed = Set(english.values.joined())
                for identity in speakers where !placed.contains(identity) {
                    let part = Self.recordedSpeaker(of: identity).flatMap { partner in english.first { $0.value.contains(partner) }?.key }
                        ?? Self.hashedSplit(identity, devFraction: devFraction, testFraction: testFraction)
                    split[part, default: []].append(identity)
                }
            }
            byEngine[engine] = split.mapValues { $0.sorted() }
        }
        self.engines = engines
        identitiesByEngine = byEngine
        var all: [CorpusSplit: [String]] = [:]
        for part in CorpusSplit.allCases { all[part] = engines.flatMap { byEngine[$0]?[part] ?? [] }.sorted() }
        identities = all
    }

    /// Splits `speakers`: by each identity's hash when there are many (espeak-ng), else ordered by hash and dealt
    /// out, test, then dev, then train, each split getting at least one speaker when there are three or more.
    static func split(_ speakers: [String], hashEach: Bool, devFraction: Double, testFraction: Double) -> [CorpusSplit: [String]] {
        var split: [CorpusSplit: [String]] = [.train: [], .dev: [], .test: []]
        if hashEach {
            for identity in speakers { split[hashedSplit(identity, devFraction: devFraction, testFraction: testFraction), default: []].append(identity) }
            return split
        }
        let ordered = speakers.sorted { (stableHash($0), $0) < (stableHash($1), $1) }
        let n = ordered.count
        let testCount = n >= 3 ? max(1, Int((Double(n) * testFraction).rounded())) : 0
        let devCount = n >= 3 ? max(1, Int((Double(n) * devFraction).rounded())) : 0
        split[.test] = Array(ordered.prefix(testCount))
        split[.dev] = Array(ordered.dropFirst(testCount).prefix(devCount))
        split[.train] = Array(ordered.dropFirst(testCount + devCount))
        return split
    }

    /// The split of one identity by its hash's position in [0, 1).
    static func hashedSplit(_ identity: String, devFraction: Double, testFraction: Double) -> CorpusSplit {
        let position = Double(stableHash(identity) % 1_000_003) / 1_000_003
        return position < testFraction ? .test : position < testFraction + devFraction ? .dev : .train
    }

    /// The English reader that is the same speaker as the accented reader `identity` (`mbrola:mb-de1` ->
    /// `mbrola:mb-de1-en`, the same recorded speaker; `kokoro:0042-cs` -> `kokoro:0042`, the same point of Kokoro's
    /// style space), or nil.
    static func recordedSpeaker(of identity: String) -> String? {
        guard let voice = try? Voice(identity: identity) else { return nil }
        switch voice.engine {
        case .mbrola:
            guard let database = EngineFamily.mbrolaReaderVoices.first(where: { $0.voice == voice.name })?.database,
                  let english = EngineFamily.mbrolaVoices.first(where: { $0.database == database })?.voice else { return nil }
            return Voice(name: english, variant: "", engine: .mbrola).identity
        case .kokoro:
            guard EngineFamily.kokoroVoice(voice.name)?.language != nil else { return nil }
            return Voice(name: String(voice.name.prefix(4)), variant: "", engine: .kokoro).identity
        default:
            return nil
        }
    }

    /// A speaker of `split` with prosody drawn at random: pitch 20-80, rate 120-230 wpm, amplitude 60-140, word gap
    /// 0-4 (x 10 ms). With several engine families, the family is drawn first (each equally likely among those with
    /// speakers in the split), then the speaker within it, so that an engine with hundreds of speakers does not
    /// drown one with a few. Families in `avoiding` are left out when another family has speakers in the split.
    public func randomVoice(
        in split: CorpusSplit, avoiding: Set<EngineFamily> = [], using rng: inout some RandomNumberGenerator
    ) -> Voice {
        var pool = identities[split] ?? []
        if engines.count > 1 {
            var families = engines.filter { !(identitiesByEngine[$0]?[split] ?? []).isEmpty }
            if families.contains(where: { !avoiding.contains($0) }) { families.removeAll { avoiding.contains($0) } }
            precondition(!families.isEmpty, "no voices in \(split)")
            pool = identitiesByEngine[families.randomElement(using: &rng)!]![split]!
        }
        precondition(!pool.isEmpty, "no voices in \(split)")
        let identity = pool.randomElement(using: &rng)!
        var voice = (try? Voice(identity: identity)) ?? Voice(name: identity, variant: "")
        voice.pitch = Int.random(in: 20...80, using: &rng)
        voice.rate = Int.random(in: 120...230, using: &rng)
        voice.amplitude = Int.random(in: 60...140, using: &rng)
        voice.wordGap = Int.random(in: 0...4, using: &rng)
        return voice
    }
}
