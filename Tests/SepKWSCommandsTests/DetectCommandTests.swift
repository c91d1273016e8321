import AudioDatasets
import AudioIO
import CorpusSynthesis
import Foundation
import Streaming
import KeywordSpotting
@testable import SepKWSCommands
import TensorCore
import Testing
import TestSupport

@Suite struct DetectCommandTests {
    /// A 7 s stream in a test-split voice: silence, "yes", a sentence, "stop", silence; with the keywords' intervals.
    static func stream() throws -> (samples: [Float], labels: [(String, Double, Double)]) {
        let renderer = SpeechRenderer(sampleRate: 16_000)
        let catalog = try VoiceCatalog()
        var rng = SplitMix64(seed: 5)
        var voice = catalog.randomVoice(in: .test, using: &rng)
        func level(_ x: [Float]) -> [Float] { SignalLevel.scaled(x, toRMS: -24) }
        func silence(_ seconds: Double) -> [Float] { [Float](repeating: 0, count: Int(seconds * 16_000)) }
        var samples = silence(1.2)
        var labels: [(String, Double, Double)] = []
        for (i, part) in ["yes", "the old man counted the bottles near the bridge", "stop"].enumerated() {
            let speech = level(try renderer.render(part, voice: &voice))
            if i != 1 { labels.append((part, Double(samples.count) / 16_000, Double(samples.count + speech.count) / 16_000)) }
            samples += speech + silence(1.0)
        }
        samples += silence(0.5)
        return (samples, labels)
    }

    static func s16le(_ x: [Float]) -> Data {
        var data = Data(capacity: 2 * x.count)
        for v in x {
            let i = Int16(max(-32_768, min(32_767, (v * 32_768).rounded())))
            withUnsafeBytes(of: i.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    static func events(_ stdout: String) throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    @Test func detectsTheSpokenKeywordsFromAPipeOnceEach() throws {
        let model = try DefaultModels.keywordSpotterDirectory()
        let (samples, labels) = try Self.stream()
        let result = try CommandLineRunner.run(["detect", "-", "--model", model], stdin: Self.s16le(samples))
        #expect(result.status == 0, "\(result.stderr)")
        let events = try Self.events(result.stdout)
        #expect(events.map { $0["keyword"] as? String ?? "" } == labels.map(\.0), "\(result.stdout)")
        let stored = try #require(try KeywordSpotter.loadConfiguration(directory: model).thresholds)
        for (event, label) in zip(events, labels) {
            let time = event["time"] as? Double ?? -1, score = event["score"] as? Double ?? -1
            // Fired at the end of a window that holds the word: after its start, at most 1 s after its end.
            #expect(time > label.1 && time <= label.2 + 1.0, "\(label.0) at \(label.1)-\(label.2) s fired at \(time) s")
            // At or over the keyword's calibrated threshold, which detect uses by default.
            #expect(score >= Double(stored[label.0] ?? 1) && score <= 1, "\(label.0): \(score)")
        }
        #expect(result.stdout.hasPrefix("{\"keyword\":"))
        #expect(result.stderr.contains(String(format: "stdin: %.2f s of audio", Double(samples.count) / 16_000)), "\(result.stderr)")
        #expect(result.stderr.contains("2 events, ended by end of input"))

        // The same audio as a 44.1 kHz stereo file, and one keyword only at a per-keyword threshold.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let stereo = try Resampler.resample(AudioBuffer(sampleRate: 16_000, channels: [samples, samples]), to: 44_100)
        try AudioFileWriter.write(stereo, to: dir.file("s.flac"))
        let file = try CommandLineRunner.run(["detect", dir.file("s.flac"), "--model", model, "--keywords", "stop", "--threshold", "stop=0.7"])
        #expect(file.status == 0, "\(file.stderr)")
        #expect(try Self.events(file.stdout).map { $0["keyword"] as? String ?? "" } == ["stop"])

        // eval-stream on the same stream: both keywords found, none falsely accepted at the sweep's best point.
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: samples), to: dir.file("stream.wav"))
        let csv = "keyword,start_s,end_s,condition\n" + labels.map { String(format: "%@,%.3f,%.3f,clean", $0.0, $0.1, $0.2) }.joined(separator: "\n") + "\n"
        try Data(csv.utf8).write(to: URL(fileURLWithPath: dir.file("labels.csv")))
        let evaluation = try CommandLineRunner.run([
            "eval-stream", "--labels", dir.file("labels.csv"), "--model", model, "--tolerance", "1", "--report", dir.file("r.json"),
            "--plot", dir.file("det.svg"),
        ])
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        #expect(evaluation.stdout.contains("at --threshold the model's stored thresholds: FRR 0.00% (0 of 2 missed), 0 false accepts"), "\(evaluation.stdout)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("r.json")))) as! [String: Any]
        #expect(report["label_count"] as? Int == 2)
        #expect(try String(contentsOfFile: dir.file("det.svg"), encoding: .utf8).contains("<svg"))

        // Mining: with the second keyword left out of the labels, its detection is a false accept, and its windows
        // are mined (the peak's window and one hop either side, one model window each).
        let first = "keyword,start_s,end_s\n" + String(format: "%@,%.3f,%.3f\n", labels[0].0, labels[0].1, labels[0].2)
        try Data(first.utf8).write(to: URL(fileURLWithPath: dir.file("first.csv")))
        let mining = try CommandLineRunner.run([
            "eval-stream", "--labels", dir.file("first.csv"), "--audio", dir.file("stream.wav"), "--model", model, "--mine-negatives", dir.file("hard"),
        ])
        #expect(mining.status == 0, "\(mining.stderr)")
        let mined = try CSVTable(path: dir.file("hard/mined.csv"))
        #expect(mined.header == ["file", "peak_s", "keyword", "score"])
        let second = mined.rows.filter { $0[2] == labels[1].0 && Double($0[1])! >= labels[1].1 && Double($0[1])! <= labels[1].2 + 1.5 }
        #expect(!second.isEmpty && second.count % 3 == 0, "\(mined.rows)")
        #expect(second.allSatisfy { Double($0[3])! >= 0.5 })
        for row in second {
            #expect(try AudioFileReader.read(path: dir.file("hard/" + row[0])).channels[0].count == 16_000)
        }
        #expect(mining.stdout.contains("mined \(mined.rows.count) windows around"), "\(mining.stdout)")
    }

    @Test func separatingFirstReportsTheTalker() throws {
        let model = try DefaultModels.keywordSpotterDirectory()
        let separator = try #require(ModelLocator.shipped(ModelLocator.defaultSeparator))
        let samples = try Self.stream().samples
        let result = try CommandLineRunner.run(
            ["detect", "-", "--model", model, "--separate", "--separator-model", separator, "--threshold", "0.5"], stdin: Self.s16le(samples))
        #expect(result.status == 0, "\(result.stderr)")
        let events = try Self.events(result.stdout)
        #expect(!events.isEmpty)
        for event in events {
            #expect([1, 2].contains(event["talker"] as? Int ?? 0), "\(event)")
            #expect((event["time"] as? Double ?? -1) <= Double(samples.count) / 16_000)
        }
        #expect(events.allSatisfy { KWSConfiguration.twelveLabels.contains($0["keyword"] as? String ?? "") })
        #expect(result.stderr.contains(String(format: "stdin: %.2f s of audio", Double(samples.count) / 16_000)), "\(result.stderr)")
    }

    @Test func sigintEndsALivePipeCleanly() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineRunner.executable)
        process.arguments = ["detect", "-", "--model", try DefaultModels.keywordSpotterDirectory()]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = Pipe()
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Self.s16le([Float](repeating: 0, count: 32_000)))
        Thread.sleep(forTimeInterval: 1.5)   // the writer stays open: detect is blocked reading
        process.interrupt()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("stdin: 2.00 s of audio, 0 events, ended by SIGINT"), "\(stderr)")
        try input.fileHandleForWriting.close()
    }

    @Test func aClosedStdoutEndsDetectionCleanly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: try Self.stream().samples), to: dir.file("s.wav"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineRunner.executable)
        process.arguments = ["detect", dir.file("s.wav"), dir.file("s.wav"), "--model", try DefaultModels.keywordSpotterDirectory()]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try output.fileHandleForReading.close()   // the reader is gone before the first event
        try process.run()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stderr == "detect: \(dir.file("s.wav")): stdout was closed; stopping\n", "\(stderr)")
    }

    @Test func badInputsAndOptionsGetClearErrors() throws {
        let model = try DefaultModels.keywordSpotterDirectory()
        let missing = try CommandLineRunner.run(["detect", "/nonexistent/a.wav", "--model", model])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: /nonexistent/a.wav: "), "\(missing.stderr)")
        let word = try CommandLineRunner.run(["detect", "-", "--model", model, "--keywords", "hello"])
        #expect(word.status == 2)
        #expect(word.stderr.hasPrefix("error: --keywords: 'hello' is not a label of the model"), "\(word.stderr)")
        let threshold = try CommandLineRunner.run(["detect", "-", "--model", model, "--threshold", "yes=1.5"])
        #expect(threshold.status == 2 && threshold.stderr.contains("--threshold 'yes=1.5'"), "\(threshold.stderr)")
        #expect(try CommandLineRunner.run(["detect", "-", "--model", model, "--hop-ms", "85"]).status == 2)
        let empty = try CommandLineRunner.run(["detect", "-", "--model", model], stdin: Data())
        #expect(empty.status == 0 && empty.stdout.isEmpty && empty.stderr.contains("0.00 s of audio"))
    }
}
