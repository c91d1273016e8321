import AudioDatasets
import AudioIO
import Foundation
import SpeechSynthesis
import Voices

/// Synthesizes a keyword corpus in the Google Speech Commands v2 layout:
///
/// ```
/// OUT/<word>/<speaker>_nohash_<n>.wav      1 s (clipSamples), 16 kHz, mono, 16-bit
/// OUT/validation_list.txt, testing_list.txt  relative paths of the dev and test clips
/// OUT/_background_noise_/*.wav              60 s each: white, pink, brown, hum, babble
/// OUT/clips.csv                             path, word, voice settings, split, noise, SNR, engine family
/// ```
/// Each clip's split decides its speaker: train, dev and test speakers (espeak voice + variant) are disjoint.
/// The job is deterministic from the seed and resumable: finished clips (written atomically) are kept.
///
/// By default each word of ``words`` gets ``clipsPerWord`` clips in a folder of its name. ``entries`` generalizes
/// that: a folder may hold phrases (`hey jarvis` in `hey_jarvis/`), several texts drawn per clip (confusers), or
/// windows of running speech (see ``KeywordCorpusEntry``). A word or phrase that does not fit 90% of the window is
/// spoken faster until it does.
public struct KeywordCorpusBuilder<R: RandomNumberGenerator>: Sendable {
    /// The 35 words of Speech Commands v2.
    public static var speechCommandsWords: [String] {
        ["backward", "bed", "bird", "cat", "dog", "down", "eight", "five", "follow", "forward", "four", "go", "happy",
         "house", "learn", "left", "marvin", "nine", "no", "off", "on", "one", "right", "seven", "sheila", "six",
         "stop", "three", "tree", "two", "up", "visual", "wow", "yes", "zero"]
    }

    /// The words, one folder each (used when ``entries`` is nil).
    public var words: [String]
    /// Clips per word (used when ``entries`` is nil).
    public var clipsPerWord: Int
    /// The folders to make, if not one per word of ``words``.
    public var entries: [KeywordCorpusEntry]?
    /// Words that running speech (``KeywordCorpusEntry/isRunningSpeech``) and the babble noise never say, so that a
    /// window labelled `_unknown_` never holds a keyword; nil: every word of every entry that is not running speech.
    public var avoidedWords: Set<String>?
    /// Where to keep the whole sentence behind each training-split running-speech clip (clean, at its render's level,
    /// named like the clip), e.g. as stream context: about five times the speech the windows hold, at no extra
    /// synthesis. Nil: not kept. A clip made by an earlier build keeps no sentence.
    public var sentenceDirectory: String?
    /// Samples per clip (16,000: 1 s windows; longer for long phrases).
    public var clipSamples = 16_000
    public var outputDirectory: String
    public var seed: UInt64
    /// The engine families whose speakers talk (default espeak-ng alone; each must be installed).
    public var engines: [EngineFamily] = [.espeak]
    /// Use every speaker of the engines in every split: for a corpus of engine families held out of training, where
    /// the family itself is what no model heard.
    public var everySpeakerInEverySplit = false
    /// Which of the engines' speakers read (English rules, accented readers, or both; ``Voices/ReaderSet``).
    public var readers = ReaderSet.english
    /// Share of clips with background noise mixed in (the rest are clean).
    public var noisyFraction: Double = 0.5
    /// SNR range of the noisy clips (dB).
    public var snrRange: ClosedRange<Double> = 5...30
    /// Share of clips in dev and in test.
    public var devFraction = 0.1, testFraction = 0.1
    public let sampleRate = 16_000
    /// `espeak-ng` processes run at once.
    public var jobs = 4
    let makeGenerator: SeededGeneratorFactory<R>

    public init(words: [String], clipsPerWord: Int, outputDirectory: String, seed: UInt64, generator: @escaping SeededGeneratorFactory<R>) throws {
        guard !words.isEmpty else { throw DatasetError.invalidOption(name: "--words", value: "", reason: "give at least one word") }
        for word in words where word.isEmpty || word.hasPrefix("_") || word.contains("/") {
            throw DatasetError.invalidOption(name: "word", value: word, reason: "must be non-empty, not start with _ and have no /")
        }
        guard (1...100_000).contains(clipsPerWord) else {
            throw DatasetError.invalidOption(name: "clips per word", value: "\(clipsPerWord)", reason: "must be 1 to 100000")
        }
        self.words = words
        self.clipsPerWord = clipsPerWord
        self.outputDirectory = outputDirectory
        self.seed = seed
        self.makeGenerator = generator
    }

    static var manifestHeader: [String] {
        ["path", "word", "voice", "variant", "pitch", "rate", "amplitude", "word_gap", "split", "noise", "snr_db", "engine"]
    }

    /// The header of corpora made before the `engine` column: their rows are kept on resuming, with the family
    /// inferred from the voice name (``Voices/EngineFamily/init(voiceName:)``).
    static var manifestHeaderWithoutEngine: [String] { Array(manifestHeader.dropLast()) }

    /// Makes (or completes) the corpus.
    /// - Returns: the manifest.
    public func build(progress: CorpusProgressHandler? = nil) throws -> CSVTable {
        let fm = FileManager.default
        let plan = plannedEntries
        for entry in plan where entry.folder.isEmpty || entry.folder.hasPrefix("_") || entry.folder.contains("/") || entry.clips < 0 {
            throw DatasetError.invalidOption(name: "folder", value: entry.folder, reason: "must be non-empty, not start with _ and have no /")
        }
        guard clipSamples >= sampleRate / 4 else {
            throw DatasetError.invalidOption(name: "clip samples", value: "\(clipSamples)", reason: "must be at least a quarter second")
        }
        try fm.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        if let sentenceDirectory { try fm.createDirectory(atPath: sentenceDirectory, withIntermediateDirectories: true) }
        let manifestPath = (outputDirectory as NSString).appendingPathComponent("clips.csv")
        var finished: [String: [String]] = [:]
        if fm.fileExists(atPath: manifestPath), let old = try? CSVTable(path: manifestPath),
           old.header == Self.manifestHeader || old.header == Self.manifestHeaderWithoutEngine {
            for row in old.rows where fm.fileExists(atPath: (outputDirectory as NSString).appendingPathComponent(row[0])) {
                finished[row[0]] = row.count == Self.manifestHeader.count ? row : row + [EngineFamily(voiceName: row[2]).rawValue]
            }
        }
        let catalog = try VoiceCatalog(engines: engines, readers: readers, everySpeakerInEverySplit: everySpeakerInEverySplit)
        let renderer = SpeechRenderer(sampleRate: sampleRate)
        let sentences = SentenceGenerator(avoiding: sentenceAvoidedWords)
        let noises = try backgroundNoises(renderer: renderer, catalog: catalog, sentences: sentences)
        var table = CSVTable(header: Self.manifestHeader)
        let done = finished
        let total = plan.reduce(0) { $0 + $1.clips }
        var count = 0
        for (w, entry) in plan.enumerated() {
            let folder = (outputDirectory as NSString).appendingPathComponent(entry.folder)
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var index = 0
            while index < entry.clips {
                let chunk = index..<min(entry.clips, index + 32)
                let rows = try parallelMap(count: chunk.count, workers: jobs) { j in
                    try clip(entry: entry, entryIndex: w, index: chunk.lowerBound + j, catalog: catalog, renderer: renderer, sentences: sentences,
                             noises: noises, done: done)
                }
                table.rows += rows
                count += rows.count
                index = chunk.upperBound
                try table.write(to: manifestPath)
                progress?(CorpusProgress(done: count, total: total, item: rows.last?[0] ?? ""))
            }
        }
        try table.write(to: manifestPath)
        for (name, split) in [("validation_list.txt", "dev"), ("testing_list.txt", "test")] {
            let list = table.rows.filter { $0[8] == split }.map { $0[0] }.joined(separator: "\n")
            try AtomicOutput.write(Data((list.isEmpty ? "" : list + "\n").utf8), to: (outputDirectory as NSString).appendingPathComponent(name))
        }
        return table
    }

    /// The words the sentences never say: ``avoidedWords``, else the words of every entry that is not running speech.
    public var sentenceAvoidedWords: Set<String> {
        avoidedWords ?? SentenceGenerator.words(of: plannedEntries.flatMap(\.texts))
    }

    /// The folders to make: ``entries``, or one per word, named as a task's labels find them
    /// (`KeywordLabelSet.folderName(for:)`: "hey jarvis" says its words in `hey_jarvis/`).
    public var plannedEntries: [KeywordCorpusEntry] {
        entries ?? words.map { KeywordCorpusEntry(folder: KeywordLabelSet.folderName(for: $0), texts: [$0], clips: clipsPerWord) }
    }

    /// Makes (or reuses) clip `index` of `entry` and returns its manifest row.
    private func clip(
        entry: KeywordCorpusEntry, entryIndex w: Int, index: Int, catalog: VoiceCatalog, renderer: SpeechRenderer,
        sentences: SentenceGenerator, noises: [(NoiseKind, [Float])], done: [String: [String]]
    ) throws -> [String] {
        var rng = makeGenerator(derivedSeed(seed, w, index, Int(truncatingIfNeeded: stableHash(entry.folder))))
        let u = Double.random(in: 0..<1, using: &rng)
        let split: CorpusSplit = u < testFraction ? .test : u < testFraction + devFraction ? .dev : .train
        var voice = catalog.randomVoice(in: split, avoiding: entry.avoidedEngines, using: &rng)
        let speaker = String(format: "%08x", UInt32(truncatingIfNeeded: stableHash(voice.identity)))
        let relative = "\(entry.folder)/\(speaker)_nohash_\(index).wav"
        if let row = done[relative] { return row }
        let length = clipSamples
        var speech: [Float], word: String
        if entry.isRunningSpeech {
            // A window-long stretch of a sentence.
            word = sentences.sentence(clauses: 2, using: &rng)
            speech = try renderer.render(word, voice: &voice)
            if split == .train, let sentenceDirectory {
                let path = (sentenceDirectory as NSString).appendingPathComponent((relative as NSString).lastPathComponent)
                try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: speech), to: path)
            }
            let keep = min(speech.count, length * 95 / 100)
            let start = Int.random(in: 0...(speech.count - keep), using: &rng)
            speech = Array(speech[start..<start + keep])
        } else {
            // A word must fit in the window with room to move: speak faster until it does, or until the engine
            // speaks no faster (Kokoro stops at 1.25 times its pace).
            word = entry.texts.count == 1 ? entry.texts[0] : entry.texts.randomElement(using: &rng)!
            speech = try renderer.render(word, voice: &voice)
            while speech.count > length * 9 / 10 && voice.rate < 400 {
                var faster = voice
                faster.rate = min(450, voice.rate + 60)
                let quicker = try renderer.render(word, voice: &faster)
                guard quicker.count < speech.count else { break }
                (voice, speech) = (faster, quicker)
            }
            speech = Array(speech.prefix(length * 95 / 100))
        }
        var clip = [Float](repeating: 0, count: length)
        let offset = Int.random(in: 0...(length - speech.count), using: &rng)
        let gain = Float(pow(10, Double.random(in: -24...(-6), using: &rng) / 20)) / max(SignalLevel.peak(speech), 1e-6)
        for i in speech.indices { clip[offset + i] = speech[i] * gain }
        var noiseName = "none", snrText = ""
        if Double.random(in: 0..<1, using: &rng) < noisyFraction {
            let (kind, noise) = noises.randomElement(using: &rng)!
            let snr = Double.random(in: snrRange, using: &rng)
            let start = Int.random(in: 0..<(noise.count - length), using: &rng)
            let mixed = SignalLevel.noise(Array(noise[start..<start + length]), forSNR: snr, against: speech.map { $0 * gain })
            for i in clip.indices { clip[i] += mixed[i] }
            noiseName = kind.rawValue
            snrText = String(format: "%.1f", snr)
        }
        let peak = SignalLevel.peak(clip)
        if peak > 0.99 { clip = clip.map { $0 * 0.99 / peak } }
        try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: clip), to: (outputDirectory as NSString).appendingPathComponent(relative))
        return [relative, word, voice.name, voice.variant, "\(voice.pitch)", "\(voice.rate)", "\(voice.amplitude)",
                "\(voice.wordGap)", split.rawValue, noiseName, snrText, voice.engine.rawValue]
    }

    /// Writes (or reuses) `_background_noise_/` and returns its signals, one minute each (the babble speaks `sentences`).
    private func backgroundNoises(renderer: SpeechRenderer, catalog: VoiceCatalog, sentences: SentenceGenerator) throws -> [(NoiseKind, [Float])] {
        let folder = (outputDirectory as NSString).appendingPathComponent("_background_noise_")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var result: [(NoiseKind, [Float])] = []
        for (k, kind) in NoiseKind.allCases.enumerated() {
            let path = (folder as NSString).appendingPathComponent("\(kind.rawValue)_noise.wav")
            if FileManager.default.fileExists(atPath: path), let existing = try? AudioFileReader.read(path: path) {
                result.append((kind, existing.channels[0]))
                continue
            }
            var rng = makeGenerator(derivedSeed(seed, -1, k))
            let count = 60 * sampleRate
            let noise: [Float]
            if kind == .babble {
                let utterances = try (0..<6).map { _ in
                    var voice = catalog.randomVoice(in: .train, using: &rng)
                    return try renderer.render(sentences.sentence(clauses: 3, using: &rng), voice: &voice)
                }
                noise = NoiseGenerator.babble(from: utterances, count: count, using: &rng)
            } else {
                noise = NoiseGenerator.make(kind, count: count, sampleRate: sampleRate, using: &rng)
            }
            try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: noise), to: path)
            // Clips are mixed with the noise as stored (16-bit), so that a resumed job gives the same bytes.
            result.append((kind, try AudioFileReader.read(path: path).channels[0]))
        }
        return result
    }
}
