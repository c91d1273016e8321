import AudioIO
import Foundation
@testable import SepKWSCommands
import Testing
import TestSupport

@Suite struct FrontEndCommandTests {
    @Test func featuresWritesTheLibrosaLogMelAsNpy() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = dir.file("logmel.npy")
        #expect(SepKWS.run(["features", try Fixtures.path("dsp/speech.wav"), "--kind", "logmel", "--out", out]) == 0)
        let written = try NumpyArray(path: out)
        let expected = try NumpyArray(path: Fixtures.path("dsp/logmel.npy"))
        #expect(written.shape == expected.shape)
        expectClose(written.values, expected.values, relativeToMax: 1e-4, "logmel via CLI")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["logmel.npy"])
    }

    @Test func featuresResamplesAndMixesDown() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // A 44.1 kHz stereo file gives the rows of its 16 kHz mono version: 1 s -> 101 centered frames.
        let tone = (0..<44_100).map { Float(0.3 * sin(2 * Double.pi * 500 * Double($0) / 44_100)) }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 44_100, channels: [tone, tone]), to: dir.file("st.flac"))
        #expect(SepKWS.run(["features", dir.file("st.flac"), "--kind", "stft", "--out", dir.file("s.npy")]) == 0)
        #expect(try NumpyArray(path: dir.file("s.npy")).shape == [101, 257])
        #expect(SepKWS.run(["features", dir.file("st.flac"), "--kind", "mfcc", "--n-mels", "64", "--n-mfcc", "13",
                            "--rate", "8000", "--n-fft", "256", "--win-ms", "25", "--out", dir.file("m.npy")]) == 0)
        #expect(try NumpyArray(path: dir.file("m.npy")).shape == [101, 13])
    }

    @Test func resampleConvertsRateAndKeepsChannels() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tone = (0..<48_000).map { Float(0.3 * sin(2 * Double.pi * 500 * Double($0) / 48_000)) }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 48_000, channels: [tone, tone]), to: dir.file("in.wav"))
        #expect(SepKWS.run(["resample", dir.file("in.wav"), dir.file("out.flac"), "--rate", "16000"]) == 0)
        let info = try AudioFileReader(path: dir.file("out.flac")).info
        #expect(info.sampleRate == 16_000 && info.channelCount == 2 && info.frameCount == 16_000)
        #expect(info.format.hasPrefix("FLAC"))
    }

    @Test func parsingRejectsImpossibleOptions() {
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["features", "a.wav", "--out", "x.npy", "--n-mfcc", "50"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["features", "a.wav", "--out", "x.npy", "--kind", "cqt"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["resample", "a.wav", "b.wav", "--rate", "0"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["info"]) }
        #expect(SepKWS.run(["features", "a.wav", "--out", "x.npy", "--hop-ms", "0"]) == 2)
    }
}

/// The real binary: exact stderr lines and exit statuses for bad input.
@Suite struct BadInputTests {
    @Test func eachBadInputGetsOneLineAndStatus1() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(FileManager.default.createFile(atPath: dir.file("empty.wav"), contents: Data()))
        #expect(FileManager.default.createFile(atPath: dir.file("notes.wav"), contents: Data("hello\n".utf8)))
        let speech = try Fixtures.path("dsp/speech.wav")
        let cases: [([String], String)] = [
            (["info", dir.file("missing.wav")], "error: \(dir.file("missing.wav")): no such file\n"),
            (["info", dir.path], "error: \(dir.path): is a directory, not an audio file\n"),
            (["info", dir.file("empty.wav")], "error: \(dir.file("empty.wav")): empty file (0 bytes)\n"),
            (["info", dir.file("notes.wav")],
             "error: \(dir.file("notes.wav")): not a readable audio file (Format not recognised.)\n"),
            (["features", speech, "--out", dir.file("no/x.npy")], "error: \(dir.file("no")): output folder does not exist\n"),
            (["resample", speech, speech, "--rate", "8000"], "error: \(speech): output would overwrite an input file\n"),
        ]
        for (arguments, message) in cases {
            let result = try CommandLineRunner.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr == message)
            #expect(result.stdout.isEmpty)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["empty.wav", "notes.wav"])
    }

    @Test func usageErrorsExitWith2AndHelpWith0() throws {
        let usage = try CommandLineRunner.run(["features", "x.wav", "--out", "y.npy", "--n-fft", "1"])
        #expect(usage.status == 2)
        #expect(usage.stderr.hasPrefix("Error: invalid n_fft 1: must be between 2 and 65536\n"))
        let help = try CommandLineRunner.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("SUBCOMMANDS"))
        let version = try CommandLineRunner.run(["--version"])
        #expect(version.status == 0 && version.stdout == SepKWS.version + "\n")
    }

    @Test func infoReportsLevelsAsJSON() throws {
        let result = try CommandLineRunner.run(["info", "--json", try Fixtures.path("dsp/speech.wav")])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["sample_rate"] as? Int == 16_000)
        #expect(object?["frames"] as? Int == 24_000)
        #expect(abs((object?["peak_dbfs"] as? Double ?? 0) - (-6.0206)) < 0.01)
    }
}
