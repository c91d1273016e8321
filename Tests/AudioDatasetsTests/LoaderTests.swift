import AudioDatasets
import AudioIO
import Foundation
import Testing
import TestSupport

@Suite struct LoaderTests {
    static func write(_ path: String, frames: Int = 800, rate: Int = 8_000) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try AudioFileWriter.write(AudioBuffer(sampleRate: rate, mono: [Float](repeating: 0.1, count: frames)), to: path)
    }

    @Test func wsj0MixFoldersPairBySourceName() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for name in ["a.wav", "b.wav"] {
            for folder in ["mix", "s1", "s2", "s3"] { try Self.write(dir.file("tt/\(folder)/\(name)")) }
        }
        let examples = try SeparationDataset.examples(root: dir.path, split: "test")
        #expect(examples.map(\.id) == ["a", "b"])
        #expect(examples[0].sources.count == 3 && examples[0].sources[2] == dir.file("tt/s3/a.wav"))
        try FileManager.default.removeItem(atPath: dir.file("tt/s2/b.wav"))
        #expect(throws: DatasetError.missingSource(mixture: "b.wav", expected: dir.file("tt/s2/b.wav"))) {
            try SeparationDataset.examples(root: dir.path, split: "tt")
        }
        try FileManager.default.createDirectory(atPath: dir.file("cv/mix"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.file("cv/s1"), withIntermediateDirectories: true)
        #expect(throws: DatasetError.missingFolder(path: dir.file("cv/s2"), layout: "separation (sources)")) {
            try SeparationDataset.examples(root: dir.path, split: "dev")
        }
    }

    @Test func audioFoldersAreSearchedRecursively() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.write(dir.file("x/one.wav"))
        try Self.write(dir.file("x/y/two.flac"))
        #expect(FileManager.default.createFile(atPath: dir.file("x/notes.txt"), contents: Data("hi".utf8)))
        #expect(try AudioFolder.files(in: dir.file("x")) == [dir.file("x/one.wav"), dir.file("x/y/two.flac")])
        // A folder reached through a symbolic link: its files, named under the link.
        try FileManager.default.createSymbolicLink(atPath: dir.file("link"), withDestinationPath: dir.file("x"))
        #expect(try AudioFolder.files(in: dir.file("link")) == [dir.file("link/one.wav"), dir.file("link/y/two.flac")])
        try FileManager.default.createDirectory(atPath: dir.file("empty"), withIntermediateDirectories: true)
        #expect(throws: DatasetError.noAudioFiles(path: dir.file("empty"))) { try AudioFolder.files(in: dir.file("empty")) }
        #expect(throws: DatasetError.missingFolder(path: dir.file("none"), layout: "folder of audio files")) {
            try AudioFolder.files(in: dir.file("none"))
        }
    }

    @Test func speechCommandsThirtyFiveClassesAndMissingLists() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for (word, n) in [("yes", 3), ("marvin", 2)] {
            for i in 0..<n { try Self.write(dir.file("\(word)/spk\(i)_nohash_0.wav"), frames: 16_000, rate: 16_000) }
        }
        // Without split lists (the official test set's layout) every clip is a test clip.
        let unlisted = try SpeechCommandsDataset(root: dir.path, labelSet: .thirtyFive)
        #expect(unlisted.examples[.test]!.count == 5 && unlisted.examples[.train]!.isEmpty && unlisted.examples[.dev]!.isEmpty)
        #expect(throws: DatasetError.emptySplit(split: "train", path: dir.path)) { try unlisted.examples(in: .train) }
        try "yes/spk1_nohash_0.wav\n".write(toFile: dir.file("validation_list.txt"), atomically: true, encoding: .utf8)
        try "marvin/spk1_nohash_0.wav\n".write(toFile: dir.file("testing_list.txt"), atomically: true, encoding: .utf8)
        let dataset = try SpeechCommandsDataset(root: dir.path, labelSet: .thirtyFive)
        let labels = KeywordLabelSet.thirtyFive.labels
        #expect(dataset.examples[.train]!.map { labels[$0.label] }.sorted() == ["marvin", "yes", "yes"])
        #expect(dataset.examples[.dev]!.map { labels[$0.label] } == ["yes"])
        #expect(dataset.examples[.test]!.map { labels[$0.label] } == ["marvin"])
        // 12 classes need _background_noise_ for _silence_.
        #expect(throws: DatasetError.missingFolder(path: dir.file("_background_noise_"), layout: "Speech Commands (12 classes need _silence_ from it)")) {
            try SpeechCommandsDataset(root: dir.path, labelSet: .twelve)
        }
    }

    @Test func mixtureManifestNamesTheTalkersEngines() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(try MixtureCorpusManifest(root: dir.path) == nil)
        try Data("""
        mixture_ID,split,voice_1,voice_2,text_1,text_2
        test_000000,test,kokoro:0205 pitch 76 rate 201,en-gb-x-gbclan+pedro pitch 79 rate 210,a,b
        test_000001,test,festival:rab_diphone pitch 50,pico:de-DE pitch 47,a,b
        test_000002,test,mbrola:mb-us1 pitch 50,mbrola:mb-de3-en pitch 47,a,b

        """.utf8).write(to: URL(fileURLWithPath: dir.file("clips.csv")))
        let manifest = try #require(try MixtureCorpusManifest(root: dir.path))
        #expect(manifest.subsets(of: "test_000000") == ["engine espeak", "engine kokoro", "engines espeak+kokoro"])
        #expect(manifest.subsets(of: "test_000001") == ["engine festival", "engine pico", "engines festival+pico"])
        #expect(manifest.subsets(of: "test_000002") == ["engine mbrola", "engines mbrola+mbrola"])
        #expect(manifest.subsets(of: "test_000009") == [])
        try Data("mixture_ID,voice_1,voice_2\nx,nosuch:voice,en-us\n".utf8).write(to: URL(fileURLWithPath: dir.file("clips.csv")))
        #expect(throws: DatasetError.self) { try MixtureCorpusManifest(root: dir.path) }
    }

    @Test func csvQuotingRoundTripsAndErrorsNameTheLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let table = CSVTable(header: ["a", "b"], rows: [["x, y", "say \"hi\""], ["line\nbreak", ""]])
        try table.write(to: dir.file("t.csv"))
        #expect(try CSVTable(path: dir.file("t.csv")) == table)
        try "a,b\n1,2\n3\n".write(toFile: dir.file("bad.csv"), atomically: true, encoding: .utf8)
        #expect(throws: DatasetError.malformedManifest(path: dir.file("bad.csv"), line: 3, reason: "1 cells, the header has 2")) {
            try CSVTable(path: dir.file("bad.csv"))
        }
    }
}
