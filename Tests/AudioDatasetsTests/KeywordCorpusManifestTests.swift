import AudioDatasets
import AudioIO
import Foundation
import Testing
import TestSupport
import Voices

/// What a keyword corpus records per clip (`clips.csv`): engine families from the `engine` column or inferred from
/// the voice name, and the subsets the evaluation reports on.
@Suite struct KeywordCorpusManifestTests {
    /// The voice names of each engine's own tables (as a corpus made before the `engine` column wrote them).
    @Test func engineFamiliesAreInferredFromVoiceNames() {
        let cases: [(String, EngineFamily)] = [
            ("mb-de3-en", .mbrola), ("mb-us1", .mbrola), ("rab_diphone", .festival), ("hy_fi_mv_diphone", .festival),
            ("upc_ca_ona_hts", .festival), ("de-DE", .pico), ("it-IT", .pico), ("0481", .kokoro),
            ("0599", .kokoro), ("0600", .espeak), ("481", .espeak), ("en-us", .espeak), ("en-gb-x-rp", .espeak),
            ("0481-cs", .kokoro), ("0481-fr-fr", .kokoro), ("0481-xx", .espeak), ("0481-", .espeak),
        ]
        for (name, family) in cases { #expect(EngineFamily(voiceName: name) == family, "\(name)") }
    }

    @Test func theManifestGivesEachClipItsEngineVoiceAndNoiseSubsets() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let root = try makeTinyKeywordCorpus(in: dir, engineColumn: false)
        let manifest = try #require(try KeywordCorpusManifest(root: root))
        #expect(manifest.clips.map(\.voice.identity) == ["festival:rab_diphone", "pico:de-DE", "festival:rab_diphone", "en-us+f3"])
        #expect(manifest.subsets(of: KeywordExample(path: "\(root)/yes/b_nohash_1.wav", label: 0, word: "yes"))
                == ["engine pico", "voice pico:de-DE", "word clips with noise"])
        #expect(manifest.subsets(of: KeywordExample(path: "\(root)/no/c_nohash_1.wav", label: 1, word: "no"))
                == ["engine espeak", "voice en-us+f3", "word clips without noise"])
        #expect(manifest.subsets(of: KeywordExample(path: "\(root)/_background_noise_/pink_noise.wav", label: 2, word: "_background_noise_", cropStart: 0)).isEmpty)
        let recorded = try #require(try KeywordCorpusManifest(root: try makeTinyKeywordCorpus(in: dir, engineColumn: true)))
        #expect(recorded.clips[1].voice.identity == "festival:de-DE")
        #expect(try KeywordCorpusManifest(root: dir.file("nowhere")) == nil)
        try CSVTable(header: ["path", "word"], rows: []).write(to: "\(root)/clips.csv")
        #expect(throws: DatasetError.malformedManifest(path: "\(root)/clips.csv", line: 1,
                                                       reason: "no voice column (a keyword corpus's clips.csv has path, word, voice, variant, split, noise)")) {
            try KeywordCorpusManifest(root: root)
        }
    }

    /// `train-kws --data A --data B --exclude-engines festival`: corpora join split by split, and a family's clips leave
    /// by what each corpus's `clips.csv` says (the column when present, else the voice name).
    @Test func corporaMergeAndLeaveAFamilyOut() throws {
        let first = try TemporaryDirectory(), second = try TemporaryDirectory()
        defer { first.remove(); second.remove() }
        let a = try SpeechCommandsDataset(root: try makeTinyKeywordCorpus(in: first, engineColumn: false), labelSet: .thirtyFive)
        let b = try SpeechCommandsDataset(root: try makeTinyKeywordCorpus(in: second, engineColumn: true), labelSet: .thirtyFive)
        let both = a.merged(with: b)
        #expect(both.root == a.root)
        #expect(try both.examples(in: .test).map(\.path) == (try a.examples(in: .test) + b.examples(in: .test)).map(\.path))

        // a: rab (festival), de-DE (pico), rab, en-us (espeak); b records de-DE as festival, so it leaves with festival.
        let withoutFestival = try both.excluding(engines: [.festival])
        #expect(try withoutFestival.examples(in: .test).map(\.path)
                == ["\(a.root)/no/c_nohash_1.wav", "\(a.root)/yes/b_nohash_1.wav", "\(b.root)/no/c_nohash_1.wav"])
        #expect(try withoutFestival.excluding(engines: [.pico]).examples(in: .test).count == 2)
        #expect(try both.excluding(engines: []).examples(in: .test).count == 8)
        #expect(throws: DatasetError.emptySplit(split: "any", path: a.root)) {
            try both.excluding(engines: [.festival, .pico, .espeak])
        }
        try FileManager.default.removeItem(atPath: "\(b.root)/clips.csv")
        let unlisted = try SpeechCommandsDataset(root: b.root, labelSet: .thirtyFive)
        #expect(throws: DatasetError.malformedManifest(path: "\(b.root)/clips.csv", line: 0,
                                                       reason: "missing: the clips' engines cannot be told, so none can be excluded")) {
            try unlisted.excluding(engines: [.kokoro])
        }
    }
}
