import AudioDatasets
import SpeechSynthesis
import Voices

extension WakeWordCorpusBuilder {
    /// The window for `phrases` (``windowSamples(forSpeechSamples:sampleRate:)``) from the longest phrase said by
    /// espeak-ng's default voice at its default rate, and that length (samples at `sampleRate`).
    /// - Throws: `SynthesisError` if espeak-ng cannot render a phrase.
    public static func window(for phrases: [String], sampleRate: Int = 16_000) throws -> (samples: Int, longestPhrase: Int) {
        let renderer = SpeechRenderer(sampleRate: sampleRate)
        let longest = try phrases.map { phrase in
            var voice = Voice(name: "en-us", variant: "")
            return try renderer.render(phrase, voice: &voice).count
        }.max() ?? 0
        return (windowSamples(forSpeechSamples: longest, sampleRate: sampleRate), longest)
    }

    /// The wake-word recipe's mix for `clips` positives per phrase: as many confusable clips, half as many phrase
    /// parts and running speech, 40 confusers per phrase.
    public mutating func useRecipe(clipsPerPhrase clips: Int) {
        positivesPerPhrase = clips
        confusableClips = clips * phrases.count
        partialClips = clips / 2 * phrases.count
        speechClips = clips / 2 * phrases.count
        confusersPerPhrase = 40
    }

    /// The words said, unlabelled, in a calibration stream: each phrase's confusers (from ``build(progress:status:)``)
    /// and its parts.
    public static func calibrationFillers(phrases: [String], confusers: [String: [String]]) -> [String] {
        phrases.flatMap { confusers[$0] ?? [] } + phrases.flatMap { partials(of: $0, avoiding: Set(phrases)) }
    }

    /// The recipe's calibration stream (``StreamCorpusBuilder``, not yet built): `minutes` of speech in
    /// `outputDirectory` by dev-split speakers of `engines` (``streamEngines(of:)``; speakers held out of training, a
    /// new talker every segment),
    /// saying `phrases` and, unlabelled, `fillers` (``calibrationFillers(phrases:confusers:)``), from a seed apart
    /// from the training clips'.
    /// - Throws: ``DatasetError`` for no phrase or a length outside (0, 1440] minutes.
    public static func calibrationStream(
        phrases: [String], engines: [EngineFamily], fillers: [String], minutes: Double, outputDirectory: String, seed: UInt64,
        generator: @escaping SeededGeneratorFactory<R>
    ) throws -> StreamCorpusBuilder<R> {
        try recipeStream(phrases: phrases, engines: engines, fillers: fillers, minutes: minutes, outputDirectory: outputDirectory,
                         seed: seed ^ 0xCA11_B8A7E, speakers: .dev, readers: .english, generator: generator)
    }

    /// The recipe's mining stream (``StreamCorpusBuilder``, not yet built): `minutes` of speech in `outputDirectory`
    /// by training-split speakers of `engines` (``streamEngines(of:)``), English and accented readers, a new talker
    /// every segment, saying `phrases` and, unlabelled, `fillers`, from a seed apart from the training clips' and
    /// the calibration stream's. A model trained on those speakers fires falsely on it where it confuses them: the
    /// windows to train it again on (``HardNegativeMining``).
    /// - Throws: ``DatasetError`` for no phrase or a length outside (0, 1440] minutes.
    public static func miningStream(
        phrases: [String], engines: [EngineFamily], fillers: [String], minutes: Double, outputDirectory: String, seed: UInt64,
        generator: @escaping SeededGeneratorFactory<R>
    ) throws -> StreamCorpusBuilder<R> {
        try recipeStream(phrases: phrases, engines: engines, fillers: fillers, minutes: minutes, outputDirectory: outputDirectory,
                         seed: seed ^ 0x3141_4E1E, speakers: .train, readers: .both, generator: generator)
    }

    /// The engines of the recipe's mining and calibration streams: the run's `engines` but Kokoro, which synthesizes
    /// about 20 times slower (an hour of espeak-ng and MBROLA takes 1.5 min on two cores; a mining stream without it
    /// mined about as well, session 28), so that the streams can be an hour long; Kokoro alone when it is the only one.
    public static func streamEngines(of engines: [EngineFamily]) -> [EngineFamily] {
        let fast = engines.filter { $0 != .kokoro }
        return fast.isEmpty ? engines : fast
    }

    /// A stream of the recipe: `speakers` of `engines` read by `readers`, a new talker every segment, saying
    /// `phrases` and, unlabelled, `fillers`.
    private static func recipeStream(
        phrases: [String], engines: [EngineFamily], fillers: [String], minutes: Double, outputDirectory: String, seed: UInt64,
        speakers: CorpusSplit, readers: ReaderSet, generator: @escaping SeededGeneratorFactory<R>
    ) throws -> StreamCorpusBuilder<R> {
        var stream = try StreamCorpusBuilder(words: phrases, minutes: minutes, outputDirectory: outputDirectory, seed: seed, generator: generator)
        stream.engines = engines
        stream.readers = readers
        stream.speakerSplit = speakers
        stream.fillers = fillers
        stream.talkerPerSegment = true
        return stream
    }
}
