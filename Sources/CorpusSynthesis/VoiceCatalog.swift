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
    ///   - everySpeakerInEverySplit: put every speaker in every split (for a corpus of engines held out of
    ///     training, whose speakers no model heard).
    ///   - devFraction: share of identities for dev.
    ///   - testFraction: share of identities for test.
    /// - Throws: ``SynthesisError`` when an engine is not available.
    public init(engines: [EngineFamily] = [.espeak], everySpeakerInEverySplit: Bool = false,
                devFraction: Double = 0.1, testFraction: Double = 0.15) throws(SynthesisError) {
        var byEngine: [EngineFamily: [CorpusSplit: [String]]] = [:]
        for engine in engines {
            var split: [CorpusSplit: [String]] = [.train: [], .dev: [], .test: []]
            let speakers = try SpeechEngines.engine(engine).speakers()
            if everySpeakerInEverySplit {
                for part in CorpusSplit.allCases { split[part] = speakers }
            } else if engine == .espeak {
                for identity in speakers {
                    let position = Double(stableHash(identity) % 1_000_003) / 1_000_003
                    let part: CorpusSplit = position < testFraction ? .test : position < testFraction + devFraction ? .dev : .train
                    split[part, default: []].append(identity)
                }
            } else {
                // Few speakers: order them by hash and deal out test, then dev, then train, each split getting at
                // least one speaker when there are three or more.
                let ordered = speakers.sorted { (stableHash($0), $0) < (stableHash($1), $1) }
                let n = ordered.count
                let testCount = n >= 3 ? max(1, Int((Double(n) * testFraction).rounded())) : 0
                let devCount = n >= 3 ? max(1, Int((Double(n) * devFraction).rounded())) : 0
                split[.test] = Array(ordered.prefix(testCount))
                split[.dev] = Array(ordered.dropFirst(testCount).prefix(devCount))
                split[.train] = Array(ordered.dropFirst(testCount + devCount))
            }
            byEngine[engine] = split.mapValues { $0.sorted() }
        }
        self.engines = engines
        identitiesByEngine = byEngine
        var all: [CorpusSplit: [String]] = [:]
        for part in CorpusSplit.allCases { all[part] = engines.flatMap { byEngine[$0]?[part] ?? [] }.sorted() }
        identities = all
    }

    /// A speaker of `split` with prosody drawn at random: pitch 20-80, rate 120-230 wpm, amplitude 60-140, word gap
    /// 0-4 (x 10 ms). With several engine families, the family is drawn first (each equally likely among those with
    /// speakers in the split), then the speaker within it, so that an engine with hundreds of speakers does not
    /// drown one with a few.
    public func randomVoice(in split: CorpusSplit, using rng: inout some RandomNumberGenerator) -> Voice {
        var pool = identities[split] ?? []
        if engines.count > 1 {
            let families = engines.filter { !(identitiesByEngine[$0]?[split] ?? []).isEmpty }
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
