import AudioDatasets
import AudioIO
import CorpusSynthesis
import Foundation
import SpeechSynthesis
import TensorCore
import Testing
import TestSupport
import Voices

@Suite struct WakeWordCorpusTests {
    @Test func theRecipeMixAndTheCalibrationFillersFollowThePhrases() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var builder = try WakeWordCorpusBuilder(phrases: ["hey jarvis", "computer"], outputDirectory: dir.file("data"), seed: 1,
                                                generator: { SplitMix64(seed: $0) })
        builder.useRecipe(clipsPerPhrase: 10)
        #expect(builder.positivesPerPhrase == 10 && builder.confusableClips == 20 && builder.partialClips == 10)
        #expect(builder.speechClips == 10 && builder.confusersPerPhrase == 40)
        let fillers = WakeWordCorpusBuilder<SplitMix64>.calibrationFillers(phrases: ["hey jarvis"], confusers: ["hey jarvis": ["hey travis"]])
        #expect(fillers.first == "hey travis" && fillers.contains("jarvis"))
    }

    @Test func editDistanceCountsSymbolEdits() {
        #expect(PhoneticNeighbours.editDistance([], []) == 0)
        #expect(PhoneticNeighbours.editDistance(["h", "eI"], []) == 2)
        #expect(PhoneticNeighbours.editDistance(["dZ", "A@", "v", "I", "s"], ["h", "A@", "v", "I", "s", "t"]) == 2)
        #expect(PhoneticNeighbours.editDistance(["k", "@", "m", "p", "j", "u:", "t", "3"], ["k", "@", "m", "j", "u:", "t", "3"]) == 1)
        #expect(PhoneticNeighbours.editDistance(["a", "b", "c"], ["c", "b", "a"]) == 2)
        #expect(PhoneticNeighbours.allowedDistance(length: 2) == 1 && PhoneticNeighbours.allowedDistance(length: 7) == 2)
    }

    @Test func espeakOutputSplitsIntoSymbolsWithoutStress() {
        #expect(EspeakPhonemizer.symbols(of: "h_'eI dZ_'A@_v_I_s") == ["h", "eI", "dZ", "A@", "v", "I", "s"])
        #expect(EspeakPhonemizer.symbols(of: "j_,u:_,E_s_'eI") == ["j", "u:", "E", "s", "eI"])
    }

    @Test func neighboursAreNearButNotIdenticalNearestFirst() {
        let search = PhoneticNeighbours(candidates: [
            ("harvest", ["h", "A@", "v", "I", "s", "t"]), ("parvis", ["p", "A@", "v", "I", "s"]), ("hay", ["h", "eI"]),
            ("banana", ["b", "@", "n", "a", "n", "@"]), ("jarvis", ["dZ", "A@", "v", "I", "s"]),
        ])
        let found = search.neighbours(of: ["dZ", "A@", "v", "I", "s"], excluding: ["jarvis"])
        #expect(found.map(\.word) == ["parvis", "harvest"])
        #expect(found.map(\.distance) == [1, 2])
        // Identical phonemes (a homophone) are never a neighbour.
        #expect(search.neighbours(of: ["h", "eI"]).map(\.word).isEmpty)
    }

    @Test func phonemesComeFromOneBatchedEspeakProcess() throws {
        let phonemes = try EspeakPhonemizer.phonemes(of: ["hey jarvis", "harvest", "computer. yes"])
        #expect(phonemes.count == 3)
        #expect(phonemes[0].contains("A@") && phonemes[0].count >= 6, "\(phonemes)")
        #expect(phonemes[1].first == "h", "\(phonemes)")
    }

    @Test func confusersOfAPhraseIncludeNeighboursAndSwappedWords() throws {
        let search = try PhoneticNeighbours(words: WordList(words: WordList.builtIn, source: "built-in").words)
        let confusers = try search.confusers(of: "hey jarvis", limit: 30, seed: 1)
        #expect(confusers.contains("harvest"), "\(confusers)")
        #expect(confusers.contains { $0.hasSuffix(" jarvis") }, "\(confusers)")
        #expect(confusers.contains { $0.hasPrefix("hey ") }, "\(confusers)")
        #expect(!confusers.contains("hey") && !confusers.contains("jarvis") && !confusers.contains("hey jarvis"))
        #expect(Set(confusers).count == confusers.count && confusers.count <= 30)
        #expect(try search.confusers(of: "hey jarvis", limit: 30, seed: 1) == confusers)
    }

    @Test func partialsAreTheRunsOfWordsButTheWhole() {
        #expect(WakeWordCorpusBuilder<SplitMix64>.partials(of: "hey jarvis") == ["hey", "jarvis"])
        #expect(WakeWordCorpusBuilder<SplitMix64>.partials(of: "ok my robot", avoiding: ["robot"]) == ["ok", "my", "ok my", "my robot"])
        #expect(WakeWordCorpusBuilder<SplitMix64>.partials(of: "computer").isEmpty)
    }

    @Test func longPhrasesGetLongerWindows() {
        typealias B = WakeWordCorpusBuilder<SplitMix64>
        #expect(B.windowSamples(forSpeechSamples: 12_000, sampleRate: 16_000) == 16_000)
        #expect(B.windowSamples(forSpeechSamples: 16_000, sampleRate: 16_000) == 20_000)
        #expect(B.windowSamples(forSpeechSamples: 24_000, sampleRate: 16_000) == 32_000)
        #expect(B.windowSamples(forSpeechSamples: 60_000, sampleRate: 16_000) == 32_000)
    }

    @Test func builtInWordListIsUsedWithoutADictionary() {
        let list = WordList.load(paths: ["/nonexistent/words"])
        #expect(list.source == "built-in" && list.words.count > 300 && list.words.contains("harvest"))
        #expect(WordList(words: ["Paris", "it's", "ok", "a", "fine"], source: "x").words == ["fine", "ok"])
    }

    @Test func phrasesComeFromAListOrFromAConfusersFile() throws {
        #expect(try WordList.phrases(" Harvest, high jarvis ,harvest") == ["harvest", "high jarvis"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("confusers-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("hey jarvis\tharvest, hey harvest\ncomputer\tcommuter, compute\n\nmarvin\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try WordList.phrases("@" + path) == ["harvest", "hey harvest", "commuter", "compute", "marvin"])
        #expect(throws: DatasetError.self) { try WordList.phrases(" , ") }
        #expect(throws: DatasetError.self) { try WordList.phrases("@/nonexistent/confusers.txt") }
    }

    @Test func customLabelSetMapsPhraseFoldersAndEverythingElseToUnknown() {
        let set = KeywordLabelSet.custom(keywords: ["hey jarvis", "computer"])
        #expect(set.labels == ["hey jarvis", "computer", "_unknown_", "_silence_"])
        #expect(set.keywords == ["hey jarvis", "computer"])
        #expect(set.label(forFolder: "hey_jarvis") == 0 && set.label(forFolder: "computer") == 1)
        #expect(set.label(forFolder: "unknown-confusable") == 2 && set.label(forFolder: "yes") == 2)
        #expect(KeywordLabelSet.thirtyFive.label(forFolder: "hey_jarvis") == nil)
        #expect(KeywordLabelSet.twelve.label(forFolder: "cat") == 10 && KeywordLabelSet.twelve.label(forFolder: "yes") == 0)
        #expect(KeywordLabelSet(labels: set.labels) == set)
        #expect(KeywordLabelSet(labels: KeywordLabelSet.twelve.labels) == .twelve)
        #expect(KeywordLabelSet(labels: ["a", "b"]) == nil)
        #expect(KeywordLabelSet.folderName(for: "hey  jarvis") == "hey__jarvis")
    }

    @Test func phraseCorpusReadsAsACustomSpeechCommandsTask() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var builder = try WakeWordCorpusBuilder(phrases: ["hey jarvis"], outputDirectory: dir.path, seed: 3, generator: { SplitMix64(seed: $0) })
        builder.wordList = WordList(words: ["harvest", "high", "they"], source: "test")
        builder.positivesPerPhrase = 12
        builder.confusableClips = 6
        builder.partialClips = 4
        builder.speechClips = 10
        builder.clipSamples = 20_000
        let context = try TemporaryDirectory()
        defer { context.remove() }
        builder.contextDirectory = context.path
        // Two mined windows: one longer than the window (its last 20,000 samples are kept), one shorter (padded in front).
        let mined = try TemporaryDirectory()
        defer { mined.remove() }
        let long = (0..<30_000).map { Float($0 % 100) / 400 }, short = [Float](repeating: 0.25, count: 5_000)
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: long), to: mined.file("a.wav"), format: .wavFloat)
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: short), to: mined.file("b.wav"), format: .wavFloat)
        builder.hardNegativesDirectory = mined.path
        let confusers = try builder.build()
        #expect(confusers["hey jarvis"]?.contains("harvest") == true)
        let dataset = try SpeechCommandsDataset(root: dir.path, labelSet: .custom(keywords: ["hey jarvis"]), windowSamples: 20_000)
        let all = CorpusSplit.allCases.flatMap { dataset.examples[$0] ?? [] }
        #expect(all.filter { $0.label == 0 }.count == 12)
        #expect(all.filter { $0.label == 1 }.count == 22)
        let hard = (dataset.examples[.train] ?? []).filter { $0.path.contains("/unknown-hard/") }.map(\.path).sorted()
        #expect(hard.count == 2 && hard.allSatisfy { $0.hasSuffix("hard_nohash_0.wav") || $0.hasSuffix("hard_nohash_1.wav") })
        let kept = try hard.map { try AudioFileReader.read(path: $0).channels[0] }
        func close(_ a: [Float], _ b: [Float]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-4 } }
        #expect(close(kept[0], Array(long.suffix(20_000))))
        #expect(close(kept[1], [Float](repeating: 0, count: 15_000) + short))
        // Stream context: the whole sentence behind each training-split window of running speech (never a dev or
        // test speaker's), longer than the window.
        let table = try CSVTable(path: dir.file("clips.csv"))
        let expected = table.rows.indices.filter {
            table.value("path", row: $0)!.hasPrefix("unknown-speech/") && table.value("split", row: $0) == "train"
        }.map { (table.value("path", row: $0)! as NSString).lastPathComponent }
        let sentences = try FileManager.default.contentsOfDirectory(atPath: context.path)
        #expect(!expected.isEmpty && sentences.sorted() == expected.sorted(), "\(sentences) vs \(expected)")
        let lengths = try sentences.map { try AudioFileReader.read(path: context.file($0)).channels[0].count }
        #expect(lengths.reduce(0, +) > 2 * 20_000 * sentences.count, "\(lengths)")
        #expect(all.contains { $0.label == 2 })
        let clip = try AudioFileReader.read(path: all.first { $0.label == 0 }!.path)
        #expect(clip.channels[0].count == 20_000)
        #expect(throws: DatasetError.self) { try WakeWordCorpusBuilder(phrases: ["a", "A"], outputDirectory: dir.path, seed: 1, generator: { SplitMix64(seed: $0) }) }
    }

    @Test func accentedReadersSayThePhraseWhenAsked() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var builder = try WakeWordCorpusBuilder(phrases: ["computer"], outputDirectory: dir.path, seed: 5, generator: { SplitMix64(seed: $0) })
        builder.wordList = WordList(words: ["commuter", "competer"], source: "test")
        (builder.positivesPerPhrase, builder.confusableClips, builder.partialClips, builder.speechClips) = (8, 2, 0, 2)
        builder.readers = .accented
        try builder.build()
        let table = try CSVTable(path: dir.file("clips.csv"))
        let column = try table.columns(["voice"], path: dir.file("clips.csv"), kind: "clips")[0]
        let voices = table.rows.map { $0[column] }
        let languages = Set(EngineFamily.espeakReaderLanguages)
        #expect(voices.count >= 8 && voices.allSatisfy { languages.contains($0) }, "\(voices)")
    }

}
