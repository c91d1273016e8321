/// How keyword training examples are made to look like windows of a live stream (``StreamContextAugmenter``): speech
/// before and after the keyword, a competing talker over it, and windows of running speech as `_unknown_`.
/// A classifier trained on isolated 1 s clips sees none of these, and in a stream it fires on running speech and
/// misses keywords that follow a sentence.
public struct StreamContextSettings: Sendable, Codable, Equatable {
    /// Chance that a keyword example gets running speech before and after the word.
    public var surroundProbability: Double
    /// Silence kept between the word and the surrounding speech (seconds).
    public var gapMinSeconds: Double, gapMaxSeconds: Double
    /// Level of the surrounding speech relative to the word (dB).
    public var levelMinDB: Double, levelMaxDB: Double
    /// Chance that any example gets a competing talker over the whole window.
    public var competingProbability: Double
    /// Signal-to-interference ratio of the competing talker (dB).
    public var competingMinDB: Double, competingMaxDB: Double
    /// Share of `_unknown_` examples that are windows of running speech instead of other words.
    public var runningUnknownShare: Double
    /// Chance that an example is band-limited to 4 kHz (resampled to 8 kHz and back), as telephone audio and the
    /// output of an 8 kHz separator are.
    public var narrowbandProbability: Double
    /// What a keyword window must hold after the keyword (seconds): a keyword example's window always ends at least
    /// this long after the word, so the model learns to fire once it has heard what follows (`yes`, then a pause, but
    /// not `yes|terday`). 0: anywhere, as before this existed.
    public var keywordTailSeconds: Double
    /// With a tail: share of keyword draws turned into `_unknown_` windows that end before the tail (the word cut off
    /// or just ended at the window's end), so that the model waits for the tail rather than fire at the word's end.
    public var earlyShare: Double

    enum CodingKeys: String, CodingKey {
        case surroundProbability = "surround_probability", gapMinSeconds = "gap_min_seconds", gapMaxSeconds = "gap_max_seconds"
        case levelMinDB = "level_min_db", levelMaxDB = "level_max_db", competingProbability = "competing_probability"
        case competingMinDB = "competing_min_db", competingMaxDB = "competing_max_db", runningUnknownShare = "running_unknown_share"
        case narrowbandProbability = "narrowband_probability", keywordTailSeconds = "keyword_tail_seconds", earlyShare = "early_share"
    }

    /// The defaults: half the keywords surrounded by speech (gaps 0.15-0.5 s, ±6 dB), a competing talker on 20% of
    /// examples at 0-15 dB SIR, half the unknowns from running speech, a quarter of all examples band-limited to 4 kHz,
    /// no keyword tail.
    public init(
        surroundProbability: Double = 0.5, gapMinSeconds: Double = 0.15, gapMaxSeconds: Double = 0.5, levelMinDB: Double = -6,
        levelMaxDB: Double = 6, competingProbability: Double = 0.2, competingMinDB: Double = 0, competingMaxDB: Double = 15,
        runningUnknownShare: Double = 0.5, narrowbandProbability: Double = 0.25, keywordTailSeconds: Double = 0, earlyShare: Double = 0
    ) {
        self.surroundProbability = surroundProbability; self.gapMinSeconds = gapMinSeconds; self.gapMaxSeconds = gapMaxSeconds
        self.levelMinDB = levelMinDB; self.levelMaxDB = levelMaxDB; self.competingProbability = competingProbability
        self.competingMinDB = competingMinDB; self.competingMaxDB = competingMaxDB; self.runningUnknownShare = runningUnknownShare
        self.narrowbandProbability = narrowbandProbability
        self.keywordTailSeconds = keywordTailSeconds; self.earlyShare = earlyShare
    }

    /// Decodes settings; runs made before band-limiting (the keyword tail) existed read as `narrowband_probability` 0
    /// (`keyword_tail_seconds` and `early_share` 0).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        surroundProbability = try c.decode(Double.self, forKey: .surroundProbability)
        gapMinSeconds = try c.decode(Double.self, forKey: .gapMinSeconds)
        gapMaxSeconds = try c.decode(Double.self, forKey: .gapMaxSeconds)
        levelMinDB = try c.decode(Double.self, forKey: .levelMinDB)
        levelMaxDB = try c.decode(Double.self, forKey: .levelMaxDB)
        competingProbability = try c.decode(Double.self, forKey: .competingProbability)
        competingMinDB = try c.decode(Double.self, forKey: .competingMinDB)
        competingMaxDB = try c.decode(Double.self, forKey: .competingMaxDB)
        runningUnknownShare = try c.decode(Double.self, forKey: .runningUnknownShare)
        narrowbandProbability = try c.decodeIfPresent(Double.self, forKey: .narrowbandProbability) ?? 0
        keywordTailSeconds = try c.decodeIfPresent(Double.self, forKey: .keywordTailSeconds) ?? 0
        earlyShare = try c.decodeIfPresent(Double.self, forKey: .earlyShare) ?? 0
    }

    /// Throws if a value is impossible.
    /// - Throws: ``TrainingError/invalidOption(name:value:reason:)``.
    public func validate() throws(TrainingError) {
        guard (0...0.5).contains(keywordTailSeconds) else {
            throw .invalidOption(name: "keyword_tail_seconds", value: "\(keywordTailSeconds)", reason: "must be 0-0.5 s")
        }
        guard (0..<1).contains(earlyShare) else { throw .invalidOption(name: "early_share", value: "\(earlyShare)", reason: "must be in [0, 1)") }
    }
}
