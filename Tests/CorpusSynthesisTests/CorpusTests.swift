import AudioDatasets
import AudioIO
import CorpusSynthesis
import Foundation
import SpeechSynthesis
import TensorCore
import Testing
import TestSupport
import Voices

let seeded: SeededGeneratorFactory<SplitMix64> = { SplitMix64(seed: $0) }

@Suite(.serialized) struct CorpusTests {
    @Test func voiceSplitsAreDisjointAndNonEmpty() throws {
        let catalog = try VoiceCatalog()
        let train = Set(catalog.identities[.train]!), dev = Set(catalog.identities[.dev]!), test = Set(catalog.identities[.test]!)
        #expect(train.count > 100 && dev.count > 10 && test.count > 10)
        #expect(train.isDisjoint(with: dev) && train.isDisjoint(with: test) && dev.isDisjoint(with: test))
        #expect(try VoiceCatalog().identities == catalog.identities)
    }

    @Test func synthesizerSpeaksAndRejectsUnknownVoices() throws {
        let speech = try EspeakSynthesizer.shared.synthesize("hello there", voice: Voice(name: "en-us", variant: "f3"))
        #expect(speech.count > 5_000 && SignalLevel.peak(speech) > 0.05)
        let again = try EspeakSynthesizer.shared.synthesize("hello there", voice: Voice(name: "en-us", variant: "f3"))
        #expect(again == speech)
        #expect(throws: SynthesisError.unknownVoice("xx-none")) {
            try EspeakSynthesizer.shared.synthesize("hi", voice: Voice(name: "xx-none", variant: ""))
        }
        #expect(throws: SynthesisError.invalidParameter(name: "rate", value: 20, range: 80...450)) {
            try EspeakSynthesizer.shared.synthesize("hi", voice: Voice(name: "en-us", variant: "", rate: 20))
        }
    }

    @Test func keywordCorpusHasTheSpeechCommandsLayoutAndResumesIdentically() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = dir.file("kws")
        let builder = try KeywordCorpusBuilder(words: ["yes", "no", "cat"], clipsPerWord: 14, outputDirectory: out, seed: 7, generator: seeded)
        let table = try builder.build()
        #expect(table.rows.count == 42)
        let first = table.rows[0][0]
        let info = try AudioFileReader(path: "\(out)/\(first)").info
        #expect(info.sampleRate == 16_000 && info.channelCount == 1 && info.frameCount == 16_000)
        for kind in NoiseKind.allCases {
            #expect(FileManager.default.fileExists(atPath: "\(out)/_background_noise_/\(kind.rawValue)_noise.wav"))
        }
        // Speakers never cross splits.
        var speakersBySplit: [String: Set<String>] = [:]
        for row in table.rows { speakersBySplit[row[8], default: []].insert(row[2] + "+" + row[3]) }
        #expect(speakersBySplit["train", default: []].isDisjoint(with: speakersBySplit["test", default: []]))
        // Delete a clip, build again: it comes back with the same bytes.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(first)"))
        try FileManager.default.removeItem(atPath: "\(out)/\(first)")
        _ = try builder.build()
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(first)")) == bytes)
        // Every row names its engine family; a corpus made before that column resumes to the same table.
        #expect(table.header.last == "engine" && table.rows.allSatisfy { $0.last == "espeak" })
        try CSVTable(header: Array(table.header.dropLast()), rows: table.rows.map { Array($0.dropLast()) }).write(to: "\(out)/clips.csv")
        #expect(try builder.build() == table)

        let dataset = try SpeechCommandsDataset(root: out, labelSet: .twelve)
        let all = dataset.examples.values.flatMap { $0 }
        let labels = KeywordLabelSet.twelve.labels
        #expect(all.contains { labels[$0.label] == "_unknown_" && $0.word == "cat" })
        #expect(all.contains { labels[$0.label] == "_silence_" && $0.cropStart != nil })
        #expect(all.filter { $0.cropStart == nil }.count == 42)
        let testList = try String(contentsOfFile: "\(out)/testing_list.txt", encoding: .utf8).split(separator: "\n").count
        #expect(dataset.examples[.test]!.filter { $0.cropStart == nil }.count == testList)
    }

    /// Running speech is labelled `_unknown_`, so it never says a keyword's word ("computer" is in the sentence
    /// grammar's vocabulary): by default every word entry's words, or what the wake-word builder sets.
    @Test func runningSpeechNeverSaysAKeyword() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var builder = try KeywordCorpusBuilder(words: ["computer"], clipsPerWord: 1, outputDirectory: dir.path, seed: 4, generator: seeded)
        builder.entries = [KeywordCorpusEntry(folder: "computer", texts: ["computer"], clips: 2),
                           KeywordCorpusEntry(folder: "unknown-partial", texts: ["compute", "new computer"], clips: 2),
                           KeywordCorpusEntry(folder: "unknown-speech", texts: [], clips: 40)]
        #expect(builder.sentenceAvoidedWords == ["computer", "compute", "new"])
        builder.avoidedWords = ["computer"]
        #expect(builder.sentenceAvoidedWords == ["computer"])
        let table = try builder.build()
        let speech = table.rows.filter { $0[0].hasPrefix("unknown-speech/") }.map { $0[1] }
        #expect(speech.count == 40 && speech.allSatisfy { $0.split(separator: " ").count >= 4 })
        #expect(speech.allSatisfy { !$0.split(separator: " ").contains("computer") }, "\(speech)")
    }

    /// A phrase of several words is said as given and lives in the folder a wake-word model's label reads
    /// (`hey_jarvis/`), so `eval-kws` scores a `synth kws --words "hey jarvis"` corpus as that phrase.
    @Test func aPhraseLivesInItsLabelsFolder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let table = try KeywordCorpusBuilder(words: ["hey jarvis"], clipsPerWord: 2, outputDirectory: dir.path, seed: 4, generator: seeded).build()
        #expect(table.rows.count == 2 && table.rows.allSatisfy { $0[0].hasPrefix("hey_jarvis/") && $0[1] == "hey jarvis" })
        let labels = KeywordLabelSet.custom(keywords: ["hey jarvis"])
        let dataset = try SpeechCommandsDataset(root: dir.path, labelSet: labels, windowSamples: 16_000)
        let examples = CorpusSplit.allCases.flatMap { (try? dataset.examples(in: $0)) ?? [] }
        #expect(examples.filter { $0.path.contains("hey_jarvis/") }.map(\.label) == [0, 0])
    }

    @Test func mixtureCorpusIsLibriMixAndConsistent() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = dir.file("mix")
        let builder = try MixtureCorpusBuilder(sampleRate: 8_000, counts: [.train: 4, .dev: 2, .test: 2], outputDirectory: out, seed: 3, generator: seeded)
        let manifest = try builder.build()
        #expect(manifest.rows.count == 8)
        let examples = try SeparationDataset.examples(root: out, split: "train", mixture: .both)
        #expect(examples.count == 4)
        for example in examples {
            let mix = try AudioFileReader.read(path: example.mixture).channels[0]
            let s1 = try AudioFileReader.read(path: example.sources[0]).channels[0]
            let s2 = try AudioFileReader.read(path: example.sources[1]).channels[0]
            let noise = try AudioFileReader.read(path: example.noise!).channels[0]
            #expect(mix.count == s1.count && s1.count == s2.count)
            let worst = mix.indices.map { abs(mix[$0] - s1[$0] - s2[$0] - noise[$0]) }.max()!
            #expect(worst < 1e-6)
            let relative = 20 * log10(SignalLevel.rms(s2) / SignalLevel.rms(s1))
            #expect(abs(relative) <= 5.01)
            let snr = 20 * log10(SignalLevel.rms(SignalLevel.sum([s1, s2])) / SignalLevel.rms(noise))
            #expect(snr >= 9.99 && snr <= 20.01)
        }
        // Without metadata the folders are scanned; a mixture without its s2 is named.
        try FileManager.default.removeItem(atPath: "\(out)/wav8k/min/metadata")
        #expect(try SeparationDataset.examples(root: out, split: "dev").count == 2)
        let missing = "\(out)/wav8k/min/dev/s2/dev_000001.wav"
        try FileManager.default.removeItem(atPath: missing)
        #expect(throws: DatasetError.missingSource(mixture: "dev_000001.wav", expected: missing)) {
            try SeparationDataset.examples(root: out, split: "dev")
        }
        #expect(throws: DatasetError.self) { try SeparationDataset.examples(root: dir.path, split: "dev") }
    }

    @Test func streamLabelsMatchTheAudio() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let builder = try StreamCorpusBuilder(words: ["yes", "stop"], minutes: 0.5, outputDirectory: dir.path, seed: 5, generator: seeded)
        let labels = try builder.build()
        let wav = try AudioFileReader.read(path: dir.file("stream.wav")).channels[0]
        #expect(wav.count >= 30 * 16_000)
        let raw = try PCMStreamReader(path: dir.file("stream.s16le"), format: .s16le, sampleRate: 16_000, channelCount: 1)
        var pcm = [Float]()
        while let block = try raw.read(maxFrames: 1 << 16) { pcm += block.channels[0] }
        #expect(pcm == wav)
        #expect(!labels.rows.isEmpty)
        for row in labels.rows {
            let start = Double(row[1])!, end = Double(row[2])!
            #expect(["yes", "stop"].contains(row[0]) && start < end && end * 16_000 <= Double(wav.count))
            // The keyword is audible where the labels say.
            let segment = Array(wav[Int(start * 16_000)..<Int(end * 16_000)])
            #expect(SignalLevel.rms(segment) > 0.01)
        }
    }

    /// Every segment is in segments.csv, keyword segments are exactly the labels, and no sentence (the main talker's
    /// or the competing talker's) says a word of a keyword, so that every keyword said is labelled ("no" and
    /// "computer" are in the sentence grammar's vocabulary).
    @Test func streamSentencesNeverSayAKeywordAndEverySegmentIsTranscribed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var builder = try StreamCorpusBuilder(words: ["no", "hey computer"], minutes: 1, outputDirectory: dir.path, seed: 9, generator: seeded)
        builder.talkerFraction = 0.6
        #expect(builder.avoidedWords == ["no", "hey", "computer"])
        let labels = try builder.build()
        let segments = try CSVTable(path: dir.file("segments.csv"))
        #expect(segments.header == ["start_s", "end_s", "kind", "text", "engine", "voice", "condition", "competing_engine", "competing_voice", "competing_text"])
        let keywordRows = segments.rows.filter { $0[2] == "keyword" }
        #expect(keywordRows.map { [$0[3], $0[0], $0[1], $0[6], $0[4], $0[5]] } == labels.rows)
        let sentences = segments.rows.filter { $0[2] == "sentence" }.map { $0[3] } + segments.rows.map { $0[9] }.filter { !$0.isEmpty }
        #expect(sentences.count > 10 && segments.rows.contains { $0[6] == "talker" && !$0[9].isEmpty })
        for sentence in sentences {
            #expect(!sentence.split(separator: " ").contains { ["no", "hey", "computer"].contains(String($0)) }, "\(sentence)")
        }
        #expect(segments.rows.allSatisfy { $0[4] == "espeak" && !$0[5].isEmpty && Double($0[0])! < Double($0[1])! })
    }

    /// `synth stream --talker-share 0 --noise-share 0.5`: no segment has a competing talker, and noise and clean
    /// segments both occur.
    @Test func aStreamWithoutCompetingTalkers() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var builder = try StreamCorpusBuilder(words: ["yes", "stop"], minutes: 0.5, outputDirectory: dir.path, seed: 5, generator: seeded)
        builder.talkerFraction = 0
        builder.noiseFraction = 0.5
        _ = try builder.build()
        let conditions = try CSVTable(path: dir.file("segments.csv")).rows.map { ($0[6], $0[7]) }
        #expect(Set(conditions.map(\.0)) == ["clean", "noise"])
        #expect(conditions.allSatisfy { $0.1.isEmpty })
    }

    /// `synth stream --intelligible-only`: a keyword the judge never hears is tried `keywordAttempts` times, then said
    /// as a sentence instead (unlabelled); heard keywords are labelled once each, from the render that was heard.
    @Test func aStreamKeepsOnlyKeywordsItsJudgeHears() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var builder = try StreamCorpusBuilder(words: ["yes", "stop"], minutes: 0.5, outputDirectory: dir.path, seed: 5, generator: seeded)
        // The judge's rule (Whisper in the command): a render of "stop" is never heard; "yes" is heard when it is
        // longer than 0.3 s (a rule on the audio it is given, so retries with new prosody can change the verdict).
        var calls: [String: Int] = [:], heardYes = 0
        builder.keywordAttempts = 3
        builder.keywordJudge = { samples, word in
            calls[word, default: 0] += 1
            let heard = word == "yes" && samples.count > 16_000 * 3 / 10
            if heard { heardYes += 1 }
            return heard
        }
        let labels = try builder.build()
        #expect(labels.rows.allSatisfy { $0[0] == "yes" })
        #expect(labels.rows.count == heardYes && heardYes > 0)
        #expect(calls["stop", default: 0] > 0 && calls["stop", default: 0] % 3 == 0)
    }
}
