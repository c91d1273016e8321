import AudioDatasets
import AudioIO
import Foundation
import SpeechSynthesis
import Voices

/// The training data of a custom wake-word model, synthesized from the phrases' text alone, in the Speech Commands
/// layout that ``SpeechCommandsDataset`` reads with ``KeywordLabelSet/custom(keywords:)``:
///
/// ```
/// OUT/<phrase folder>/       the phrase (`hey jarvis` in hey_jarvis/), every engine's speakers, varied prosody
/// OUT/unknown-confusable/    phonetic neighbours (`harvest`, `hey harvest`; ``PhoneticNeighbours``)    -> _unknown_
/// OUT/unknown-partial/       parts of the phrase (`hey`, `jarvis`)                                     -> _unknown_
/// OUT/unknown-speech/        window-long stretches of running speech (``SentenceGenerator``)           -> _unknown_
/// OUT/unknown-recorded/      windows of the user's background audio (``negativesDirectory``)           -> _unknown_
/// OUT/unknown-hard/          mined false accepts of an earlier model (``hardNegativesDirectory``)      -> _unknown_
/// OUT/_background_noise_/    synthetic noises and babble (and the user's background audio)             -> _silence_
/// OUT/validation_list.txt    dev-split speakers (model selection); testing_list.txt a few test-split ones
/// OUT/confusers.txt          the confusers per phrase
/// ```
/// Clips are windows of ``clipSamples`` with the speech at a random place, half of them noisy (as
/// ``KeywordCorpusBuilder`` makes them). The user's own recordings of a phrase (``examplesDirectory``) join the
/// phrase's training clips, each repeated ``exampleRepeats`` times. Deterministic from the seed and resumable.
public struct WakeWordCorpusBuilder<R: RandomNumberGenerator>: Sendable {
    /// The phrases, as given (labels keep them; folders write spaces as `_`).
    public var phrases: [String]
    public var outputDirectory: String
    public var seed: UInt64
    /// Engine families whose speakers talk (each must be installed).
    public var engines: [EngineFamily] = [.espeak]
    /// Which of the engines' speakers read (``Voices/ReaderSet``; accented readers add phrases said with other
    /// languages' rules).
    public var readers = ReaderSet.english
    /// Samples per window.
    public var clipSamples = 16_000
    /// Clips of each phrase.
    public var positivesPerPhrase = 400
    /// Clips of confusers (all phrases together).
    public var confusableClips = 600
    /// Clips of partial phrases (all phrases together; none for one-word phrases).
    public var partialClips = 300
    /// Windows of running speech.
    public var speechClips = 300
    /// Most confusers per phrase.
    public var confusersPerPhrase = 40
    /// Words searched for confusers.
    public var wordList = WordList.load()
    /// The user's recordings of the phrases: audio files directly in it (one phrase), or in a folder per phrase
    /// named like the phrase's folder (`hey_jarvis/`).
    public var examplesDirectory: String?
    /// How many times each of the user's recordings is used (they weigh more than synthetic clips).
    public var exampleRepeats = 10
    /// The user's background audio (no phrase in it): cut into windows for `_unknown_`, and added to the noises.
    public var negativesDirectory: String?
    /// Windows where an earlier model fired falsely (`eval-stream --mine-negatives`, on a stream of training
    /// speakers): each file, at most one window long (the last ``clipSamples``, padded in front when shorter), joins
    /// `_unknown_` as it is.
    public var hardNegativesDirectory: String?
    /// Where to keep the whole sentences behind the training-split windows of running speech, for stream context
    /// (words surrounded by speech, a competing talker, running-speech `_unknown_` windows): about five times the
    /// windows' speech at no extra synthesis (``KeywordCorpusBuilder/sentenceDirectory``); outside the corpus, which
    /// would read them as `_unknown_`. Nil: not kept.
    public var contextDirectory: String?
    /// `espeak-ng` processes (and other engines' calls) at once.
    public var jobs = 2
    public let sampleRate = 16_000
    let makeGenerator: SeededGeneratorFactory<R>

    /// The folders of the negative classes (everything but the phrases is `_unknown_`).
    public static var negativeFolders: [String] { ["unknown-confusable", "unknown-partial", "unknown-speech", "unknown-recorded", "unknown-hard"] }

    /// - Throws: ``DatasetError/invalidOption(name:value:reason:)`` for an empty, duplicate or unusable phrase.
    public init(phrases: [String], outputDirectory: String, seed: UInt64, generator: @escaping SeededGeneratorFactory<R>) throws {
        let cleaned = phrases.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        guard !cleaned.isEmpty, cleaned.allSatisfy({ !$0.isEmpty }) else {
            throw DatasetError.invalidOption(name: "--words", value: phrases.joined(separator: ","), reason: "give at least one phrase, none empty")
        }
        var folders = Set<String>()
        for phrase in cleaned {
            let folder = KeywordLabelSet.folderName(for: phrase)
            guard !phrase.hasPrefix("_"), !phrase.contains("/"), !Self.negativeFolders.contains(folder) else {
                throw DatasetError.invalidOption(name: "--words", value: phrase, reason: "must not start with _, contain / or be a negative folder's name")
            }
            guard folders.insert(folder.lowercased()).inserted else {
                throw DatasetError.invalidOption(name: "--words", value: phrase, reason: "given twice")
            }
        }
        self.phrases = cleaned
        self.outputDirectory = outputDirectory
        self.seed = seed
        self.makeGenerator = generator
    }

    /// The parts of a phrase said alone: every run of consecutive words but the whole (`hey`, `jarvis`; for three
    /// words also the pairs), except texts in `avoiding`.
    public static func partials(of phrase: String, avoiding: Set<String> = []) -> [String] {
        let words = phrase.split(separator: " ").map(String.init)
        guard words.count > 1 else { return [] }
        var result: [String] = []
        for length in 1..<words.count {
            for start in 0...(words.count - length) {
                let part = words[start..<start + length].joined(separator: " ")
                if !avoiding.contains(part) && !result.contains(part) { result.append(part) }
            }
        }
        return result
    }

    /// The confusers of each phrase (phonetic neighbours from ``wordList``, never another phrase or a part of one).
    /// - Throws: ``SynthesisError`` if espeak-ng fails.
    public func confusers() throws -> [String: [String]] {
        let longest = phrases.flatMap { $0.split(separator: " ") }.map(\.count).max() ?? 1
        let candidates = wordList.words.filter { $0.count <= longest + 3 }
        let search = try PhoneticNeighbours(words: candidates)
        var result: [String: [String]] = [:]
        let protected = Set(phrases.map { $0.lowercased() } + phrases.flatMap { Self.partials(of: $0.lowercased()) })
        for (p, phrase) in phrases.enumerated() {
            result[phrase] = try search.confusers(of: phrase, limit: confusersPerPhrase, seed: derivedSeed(seed, 3, p), avoiding: protected)
        }
        return result
    }

    /// The folders to synthesize, given the confusers.
    public func entries(confusers: [String: [String]]) -> [KeywordCorpusEntry] {
        let phraseSet = Set(phrases.map { $0.lowercased() })
        var entries = phrases.map { KeywordCorpusEntry(folder: KeywordLabelSet.folderName(for: $0), texts: [$0], clips: positivesPerPhrase) }
        let confusable = phrases.flatMap { confusers[$0] ?? [] }
        if !confusable.isEmpty { entries.append(KeywordCorpusEntry(folder: "unknown-confusable", texts: confusable, clips: confusableClips)) }
        let parts = phrases.flatMap { Self.partials(of: $0, avoiding: phraseSet) }
        if !parts.isEmpty { entries.append(KeywordCorpusEntry(folder: "unknown-partial", texts: parts, clips: partialClips)) }
        // Running speech is sentences of several seconds: Kokoro, about 20 times slower to synthesize than the other
        // engines, would take a third of the data stage's time for it, so it says phrases, confusers and parts only.
        entries.append(KeywordCorpusEntry(folder: "unknown-speech", texts: [], clips: speechClips, avoidedEngines: [.kokoro]))
        return entries
    }

    /// Makes (or completes) the corpus.
    /// - Parameters:
    ///   - progress: called after each batch of clips.
    ///   - status: called with a line of news per stage (confusers found, recordings added).
    /// - Returns: the confusers of each phrase.
    /// - Throws: ``DatasetError``, ``SynthesisError`` or `AudioIOError`.
    @discardableResult
    public func build(progress: CorpusProgressHandler? = nil, status: ((String) -> Void)? = nil) throws -> [String: [String]] {
        let root = outputDirectory as NSString
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let confusers = try confusers()
        status?("confusers from \(wordList.words.count) words (\(wordList.source)): " + phrases.map { "\($0): \((confusers[$0] ?? []).prefix(8).joined(separator: ", "))\((confusers[$0] ?? []).count > 8 ? ", ..." : "")" }.joined(separator: "; "))
        let listing = phrases.map { "\($0)\t\((confusers[$0] ?? []).joined(separator: ", "))" }.joined(separator: "\n") + "\n"
        try AtomicOutput.write(Data(listing.utf8), to: root.appendingPathComponent("confusers.txt"))
        var builder = try KeywordCorpusBuilder(words: phrases.map { KeywordLabelSet.folderName(for: $0) }, clipsPerWord: 1,
                                               outputDirectory: outputDirectory, seed: seed, generator: makeGenerator)
        builder.entries = entries(confusers: confusers)
        // Running speech may say a confuser or a partial phrase (they are negatives too), never a phrase's word.
        builder.avoidedWords = SentenceGenerator.words(of: phrases)
        builder.engines = engines
        builder.readers = readers
        builder.clipSamples = clipSamples
        builder.devFraction = 0.15
        builder.testFraction = 0.05
        builder.jobs = jobs
        builder.sentenceDirectory = contextDirectory
        _ = try builder.build(progress: progress)
        // (Not `status?(try add...)`: with no status handler, optional chaining would skip the call.)
        if let examplesDirectory { let line = try addExamples(from: examplesDirectory); status?(line) }
        if let negativesDirectory { let line = try addNegatives(from: negativesDirectory); status?(line) }
        if let hardNegativesDirectory { let line = try addHardNegatives(from: hardNegativesDirectory); status?(line) }
        return confusers
    }

    /// Places each recording's speech (silent edges trimmed, at most 95% of the window) in the middle of a window
    /// and writes it `exampleRepeats` times into its phrase's folder (training split).
    private func addExamples(from directory: String) throws -> String {
        let root = outputDirectory as NSString
        var added = 0
        for phrase in phrases {
            let folder = KeywordLabelSet.folderName(for: phrase)
            let own = (directory as NSString).appendingPathComponent(folder)
            var isFolder: ObjCBool = false
            let source = FileManager.default.fileExists(atPath: own, isDirectory: &isFolder) && isFolder.boolValue ? own
                : phrases.count == 1 ? directory : nil
            guard let source else { continue }
            for (i, path) in try AudioFolder.files(in: source).enumerated() {
                let speech = Array(SignalLevel.trimmed(try MonoReader(path: path, sampleRate: sampleRate).readAll()).prefix(clipSamples * 95 / 100))
                guard !speech.isEmpty else { continue }
                var window = [Float](repeating: 0, count: clipSamples)
                let offset = (clipSamples - speech.count) / 2
                for j in speech.indices { window[offset + j] = speech[j] }
                for r in 0..<exampleRepeats {
                    try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: window),
                                              to: root.appendingPathComponent("\(folder)/recorded\(i)_nohash_\(r).wav"))
                }
                added += 1
            }
        }
        guard added > 0 else {
            throw DatasetError.invalidOption(name: "--examples", value: directory, reason: "no audio files in it (or in a folder per phrase, such as \(KeywordLabelSet.folderName(for: phrases[0]))/)")
        }
        return "\(added) recordings of the phrases added, each \(exampleRepeats) times"
    }

    /// Writes each mined window (its last ``clipSamples``, padded in front) into `unknown-hard/` (training split).
    private func addHardNegatives(from directory: String) throws -> String {
        try Self.addHardNegatives(from: directory, toCorpus: outputDirectory, clipSamples: clipSamples, sampleRate: sampleRate)
    }

    /// Writes each audio file of `directory` (mined false accepts: ``HardNegativeMining``) as its last `clipSamples`
    /// (padded in front) into `corpus/unknown-hard/` (training split, `_unknown_`), replacing what was there: a
    /// corpus made earlier gets a round of hard negatives without being synthesized again.
    /// - Returns: a line saying how many were added.
    /// - Throws: ``DatasetError`` when `directory` holds no audio; `AudioIOError` naming an unreadable or unwritable file.
    public static func addHardNegatives(from directory: String, toCorpus corpus: String, clipSamples: Int, sampleRate: Int) throws -> String {
        let target = (corpus as NSString).appendingPathComponent("unknown-hard")
        let files = try AudioFolder.files(in: directory)
        guard !files.isEmpty else { throw DatasetError.invalidOption(name: "--hard-negatives", value: directory, reason: "no audio files in it") }
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        for (i, path) in files.enumerated() {
            let audio = try MonoReader(path: path, sampleRate: sampleRate).readAll()
            let window = [Float](repeating: 0, count: max(0, clipSamples - audio.count)) + audio.suffix(clipSamples)
            try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: window),
                                      to: (target as NSString).appendingPathComponent("hard_nohash_\(i).wav"))
        }
        return "\(files.count) mined false accepts added to _unknown_"
    }

    /// Cuts the user's background audio into windows (hop of half a window) for `unknown-recorded/`, and copies it
    /// into `_background_noise_/` at 16 kHz.
    private func addNegatives(from directory: String) throws -> String {
        let root = outputDirectory as NSString
        let files = try AudioFolder.files(in: directory)
        guard !files.isEmpty else { throw DatasetError.invalidOption(name: "--negatives", value: directory, reason: "no audio files in it") }
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("unknown-recorded"), withIntermediateDirectories: true)
        var windows = 0
        for (i, path) in files.enumerated() {
            let audio = try MonoReader(path: path, sampleRate: sampleRate).readAll()
            if audio.count >= clipSamples {
                try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: audio),
                                          to: root.appendingPathComponent("_background_noise_/recorded\(i)_noise.wav"))
            }
            var start = 0
            while start + clipSamples / 2 <= audio.count {
                var window = Array(audio[start..<min(audio.count, start + clipSamples)])
                window += [Float](repeating: 0, count: clipSamples - window.count)
                try AudioFileWriter.write(AudioBuffer(sampleRate: sampleRate, mono: window),
                                          to: root.appendingPathComponent("unknown-recorded/recorded\(i)_nohash_\(windows).wav"))
                windows += 1
                start += clipSamples / 2
            }
        }
        return "\(windows) windows of background audio from \(files.count) files added to _unknown_ (and the files to the noises)"
    }
}

extension WakeWordCorpusBuilder {
    /// The window that fits a phrase of `speechSamples` (said at a normal rate) in 85% of it: 1 s, or longer in
    /// quarter seconds up to 2 s (a longer phrase is spoken faster to fit 2 s).
    public static func windowSamples(forSpeechSamples speechSamples: Int, sampleRate: Int) -> Int {
        let quarter = sampleRate / 4
        let needed = Int((Double(speechSamples) / 0.85).rounded(.up))
        return min(8 * quarter, max(4 * quarter, (needed + quarter - 1) / quarter * quarter))
    }
}
