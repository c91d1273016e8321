import AudioDatasets
import AudioIO
import Foundation
import SpeechSynthesis
import Voices

/// Synthesizes a long labelled stream for keyword-detection evaluation: running speech with keywords spoken at known
/// times, some stretches with background noise, some with a competing talker.
///
/// ```
/// OUT/stream.wav       16 kHz mono 16-bit
/// OUT/stream.s16le     the same samples as raw PCM (for `sepkws detect -`)
/// OUT/labels.csv       keyword, start_s, end_s, condition (clean | noise | talker), engine, voice
/// OUT/segments.csv     every segment: start_s, end_s, kind (keyword | filler | sentence), text, engine, voice,
///                      condition, and the competing talker's engine, voice and text (for finding what a detector
///                      missed or fired on)
/// ```
/// The main talker and the competing talkers are test-split speakers (never heard in training; ``speakerSplit``
/// chooses another split, e.g. dev for calibrating thresholds). With ``fillers`` (confusable words and phrases),
/// that share of the non-keyword segments says one of them instead of a sentence, unlabelled. Sentences never say a
/// word of a keyword (``avoidedWords``), so every keyword said is labelled. Built in segments
/// and written as it goes, so memory does not grow with the length. Deterministic from the seed.
public struct StreamCorpusBuilder<R: RandomNumberGenerator> {
    public var words: [String]
    public var minutes: Double
    public var outputDirectory: String
    public var seed: UInt64
    /// The engine families whose speakers talk (default espeak-ng alone; each must be installed).
    public var engines: [EngineFamily] = [.espeak]
    /// Use every speaker of the engines in every split: for a corpus of engine families held out of training, where
    /// the family itself is what no model heard.
    public var everySpeakerInEverySplit = false
    /// Which of the engines' speakers read (English rules, accented readers, or both; ``Voices/ReaderSet``).
    public var readers = ReaderSet.english
    /// Words the sentences (the main talker's and the competing talker's) never say
    /// (``SentenceGenerator/init(avoiding:)``): by default the words of the keywords, since only the keyword segments
    /// are labelled and a keyword said inside a sentence would count as a false accept.
    public var avoidedWords: Set<String>
    public var sampleRate = 16_000
    /// Share of segments with background noise, and with a competing talker.
    public var noiseFraction = 0.25, talkerFraction = 0.25
    /// The split whose speakers talk (test: never heard in training).
    public var speakerSplit: CorpusSplit = .test
    /// Words or phrases said, unlabelled, in ``fillerFraction`` of the non-keyword segments (none by default).
    public var fillers: [String] = []
    /// See ``fillers``.
    public var fillerFraction = 0.4
    /// Draw a new main talker for every segment (many speakers in one stream, e.g. for calibration) instead of one
    /// talker throughout.
    public var talkerPerSegment = false
    /// Keeps only keywords a listener hears (`synth stream --intelligible-only`): called with each keyword render
    /// (`[n]` samples at ``sampleRate``) and the keyword, it says whether the render says it. A render judged
    /// unintelligible is said again with new prosody (and a new talker with ``talkerPerSegment``), up to
    /// ``keywordAttempts`` renders; a keyword never heard becomes a sentence. Nil: every render counts.
    public var keywordJudge: (([Float], String) throws -> Bool)?
    /// Renders tried per keyword with a ``keywordJudge``.
    public var keywordAttempts = 6
    let makeGenerator: SeededGeneratorFactory<R>

    public init(words: [String], minutes: Double, outputDirectory: String, seed: UInt64, generator: @escaping SeededGeneratorFactory<R>) throws {
        guard !words.isEmpty else { throw DatasetError.invalidOption(name: "--words", value: "", reason: "give at least one keyword") }
        guard minutes > 0, minutes <= 24 * 60 else {
            throw DatasetError.invalidOption(name: "--minutes", value: "\(minutes)", reason: "must be in (0, 1440]")
        }
        self.words = words
        self.avoidedWords = SentenceGenerator.words(of: words)
        self.minutes = minutes
        self.outputDirectory = outputDirectory
        self.seed = seed
        self.makeGenerator = generator
    }

    /// Makes the stream (from scratch: a partial stream is replaced, since it is written atomically at the end).
    /// - Returns: the labels.
    public func build(progress: CorpusProgressHandler? = nil) throws -> CSVTable {
        let root = outputDirectory as NSString
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let catalog = try VoiceCatalog(engines: engines, readers: readers, everySpeakerInEverySplit: everySpeakerInEverySplit)
        let renderer = SpeechRenderer(sampleRate: sampleRate)
        let sentences = SentenceGenerator(avoiding: avoidedWords)
        let wavPath = root.appendingPathComponent("stream.wav"), rawPath = root.appendingPathComponent("stream.s16le")
        let writer = try AudioFileWriter(path: wavPath, format: .wav16, sampleRate: sampleRate, channelCount: 1)
        let raw = try AudioFileWriter(path: rawPath, format: .s16le, sampleRate: sampleRate, channelCount: 1)
        var labels = CSVTable(header: ["keyword", "start_s", "end_s", "condition", "engine", "voice"])
        var segments = CSVTable(header: ["start_s", "end_s", "kind", "text", "engine", "voice", "condition",
                                         "competing_engine", "competing_voice", "competing_text"])
        let total = Int(minutes * 60 * Double(sampleRate))
        var written = 0, segment = 0
        var rng = makeGenerator(derivedSeed(seed, 0))
        let mainVoice = catalog.randomVoice(in: speakerSplit, using: &rng)
        while written < total {
            var rng = makeGenerator(derivedSeed(seed, 1, segment))
            segment += 1
            // A segment: a pause, then either a sentence or a keyword (about one keyword per 4 s of stream).
            func segmentVoice() -> Voice {
                var voice = talkerPerSegment ? catalog.randomVoice(in: speakerSplit, using: &rng) : mainVoice
                voice.pitch = min(99, max(0, voice.pitch + Int.random(in: -8...8, using: &rng)))
                voice.rate = min(300, max(100, voice.rate + Int.random(in: -25...25, using: &rng)))
                return voice
            }
            var voice = segmentVoice()
            let pause = [Float](repeating: 0, count: Int.random(in: sampleRate / 5...sampleRate, using: &rng))
            var isKeyword = Double.random(in: 0..<1, using: &rng) < 0.5
            let word = words.randomElement(using: &rng)!
            var text: String, kind = "sentence"
            if isKeyword {
                (text, kind) = (word, "keyword")
            } else if !fillers.isEmpty && Double.random(in: 0..<1, using: &rng) < fillerFraction {
                (text, kind) = (fillers.randomElement(using: &rng)!, "filler")
            } else {
                text = sentences.sentence(clauses: Int.random(in: 1...2, using: &rng), using: &rng)
            }
            var rendered = try renderer.render(text, voice: &voice)
            if isKeyword, let keywordJudge {
                var attempt = 1
                while try !keywordJudge(rendered, word) {
                    guard attempt < keywordAttempts else {
                        (isKeyword, text, kind) = (false, sentences.sentence(clauses: 1, using: &rng), "sentence")
                        rendered = try renderer.render(text, voice: &voice)
                        break
                    }
                    attempt += 1
                    voice = segmentVoice()
                    rendered = try renderer.render(text, voice: &voice)
                }
            }
            let speech = SignalLevel.scaled(rendered, toRMS: Double.random(in: -28...(-20), using: &rng))
            var piece = pause + speech
            let u = Double.random(in: 0..<1, using: &rng)
            let condition = u < noiseFraction ? "noise" : u < noiseFraction + talkerFraction ? "talker" : "clean"
            var competitor = ["", "", ""]
            if condition == "noise" {
                let noise = NoiseGenerator.make(NoiseKind.synthetic.randomElement(using: &rng)!, count: piece.count, sampleRate: sampleRate, using: &rng)
                let scaled = SignalLevel.noise(noise, forSNR: Double.random(in: 5...20, using: &rng), against: speech)
                for i in piece.indices { piece[i] += scaled[i] }
            } else if condition == "talker" {
                var other = catalog.randomVoice(in: speakerSplit, using: &rng)
                for _ in 0..<20 where other.identity == voice.identity { other = catalog.randomVoice(in: speakerSplit, using: &rng) }
                // The competing talker never says a keyword: sentences only.
                let competingText = sentences.sentence(clauses: 2, using: &rng)
                var competing = try renderer.render(competingText, voice: &other)
                competitor = [other.engine.rawValue, other.name, competingText]
                competing = SignalLevel.scaled(competing, toRMS: SignalLevel.rms(speech) > 0
                    ? 20 * log10(SignalLevel.rms(speech)) + Double.random(in: -5...5, using: &rng) : -25)
                let offset = Int.random(in: 0..<max(1, piece.count / 2), using: &rng)
                for i in 0..<min(competing.count, piece.count - offset) { piece[offset + i] += competing[i] }
            }
            let peak = SignalLevel.peak(piece)
            if peak > 0.95 { piece = piece.map { $0 * 0.95 / peak } }
            let start = Double(written + pause.count) / Double(sampleRate)
            let times = [String(format: "%.3f", start), String(format: "%.3f", start + Double(speech.count) / Double(sampleRate))]
            if isKeyword { labels.rows.append([word] + times + [condition, voice.engine.rawValue, voice.name]) }
            segments.rows.append(times + [kind, text, voice.engine.rawValue, voice.name, condition] + competitor)
            try writer.write(AudioBuffer(sampleRate: sampleRate, mono: piece))
            try raw.write(AudioBuffer(sampleRate: sampleRate, mono: piece))
            written += piece.count
            progress?(CorpusProgress(done: min(written, total) / sampleRate, total: total / sampleRate, item: "segment \(segment)"))
        }
        try writer.finish()
        try raw.finish()
        try labels.write(to: root.appendingPathComponent("labels.csv"))
        try segments.write(to: root.appendingPathComponent("segments.csv"))
        return labels
    }
}
