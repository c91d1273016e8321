import AudioDatasets
import AudioIO
import CorpusSynthesis
import Foundation
@testable import SepKWSCommands
import Testing
import TestSupport

/// `sepkws synth` with engine families: an unknown engine is a usage error, a held-out corpus uses every speaker in
/// each split, and every mixture's manifest row names its voices' engines.
@Suite struct SynthCommandTests {
    @Test func anUnknownEngineIsAUsageErrorNamingIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try CommandLineRunner.run(["synth", "mixtures", "--engines", "espeak,flite", "--count", "2", "--out", dir.file("m")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("flite"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("m")))
    }

    @Test func aHeldOutCorpusDrawsTestSpeakersFromTheWholeFamily() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(SepKWS.run(["synth", "mixtures", "--engines", "espeak", "--held-out", "--count", "0", "--dev-count", "0",
                            "--test-count", "24", "--seed", "5", "--out", dir.file("m")]) == 0)
        let table = try CSVTable(path: dir.file("m/clips.csv"))
        #expect(table.rows.count == 24)
        let speakers = Set(table.rows.flatMap { [$0[2], $0[3]] }.map { String($0.split(separator: " ")[0]) })
        let catalog = try VoiceCatalog()
        // Without --held-out only test speakers would talk; with it, training speakers do too.
        #expect(!speakers.isDisjoint(with: catalog.identities[.train]!))
    }

    @Test func enginesListsEspeakWithItsSpeakers() throws {
        let result = try CommandLineRunner.run(["synth", "engines"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("espeak: 8"))
    }
}
