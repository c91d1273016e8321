import AudioDatasets
import AudioIO
import Foundation
import KeywordSpotting
import Streaming
@testable import SepKWSCommands
import Testing
import TestSupport

/// The evaluators take the standard layouts as users hold them: a keyword test set without split lists, a
/// separation split's own folder, data at another rate than the model's, a stream whose audio is named like its labels.
@Suite struct EvaluationLayoutTests {
    static func report(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test func evalKWSScoresATestSetWithoutSplitLists() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let kws = dir.file("kws")
        #expect(SepKWS.run(["synth", "kws", "--words", "yes,no,cat", "--per-word", "6", "--out", kws]) == 0)
        // The official test set's layout: no lists, and _unknown_ / _silence_ as folders of their own.
        for list in ["validation_list.txt", "testing_list.txt"] { try FileManager.default.removeItem(atPath: "\(kws)/\(list)") }
        try FileManager.default.moveItem(atPath: "\(kws)/cat", toPath: "\(kws)/_unknown_")
        try FileManager.default.createDirectory(atPath: "\(kws)/_silence_", withIntermediateDirectories: true)
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: [Float](repeating: 0.001, count: 16_000)), to: "\(kws)/_silence_/quiet.wav")
        try FileManager.default.removeItem(atPath: "\(kws)/_background_noise_")
        #expect(SepKWS.run(["eval-kws", "--data", kws, "--json", dir.file("r.json"), "--all-unknown"]) == 0)
        // Every clip is scored: 6 yes + 6 no + 6 _unknown_ + 1 _silence_.
        #expect(try Self.report(dir.file("r.json"))["examples"] as? Int == 19)
    }

    /// A synthesized corpus: accuracy per engine family and voice in the report; with an intelligibility table, only
    /// the clips judged to say their word are scored and the rest counted.
    @Test func evalKWSReportsEnginesAndVoicesAndScoresIntelligibleClipsOnly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let kws = dir.file("kws")
        #expect(SepKWS.run(["synth", "kws", "--words", "yes,no", "--per-word", "8", "--dev-fraction", "0", "--test-fraction", "0.5", "--out", kws]) == 0)
        let manifest = try #require(try KeywordCorpusManifest(root: kws))
        let test = manifest.clips.filter { $0.split == "test" }
        #expect(SepKWS.run(["eval-kws", "--data", kws, "--report", dir.file("all.json"), "--all-unknown", "--threads", "1"]) == 0)
        let all = try Self.report(dir.file("all.json"))
        let subsets = try #require(all["subsets"] as? [[String: Any]])
        let names = subsets.compactMap { $0["name"] as? String }
        #expect(names.first == "engine espeak" && subsets.first?["examples"] as? Int == test.count && all["clips"] as? String == "all")
        #expect(Set(names.filter { $0.hasPrefix("voice ") }) == Set(test.map { "voice \($0.voice.identity)" }))
        // Judged: every "no" says its word, no "yes" does.
        let table = IntelligibilityTable(rows: test.map { .init(path: $0.path, transcript: $0.text == "no" ? "No." : "Yes, sir.", saysText: $0.text == "no") })
        try table.write(to: dir.file("judged.csv"))
        #expect(SepKWS.run(["eval-kws", "--data", kws, "--report", dir.file("r.json"), "--all-unknown", "--threads", "1", "--intelligible-only"]) == 1)
        #expect(SepKWS.run(["eval-kws", "--data", kws, "--report", dir.file("r.json"), "--all-unknown", "--threads", "1",
                            "--intelligible-only", "--intelligibility", dir.file("judged.csv")]) == 0)
        let yes = test.filter { $0.text == "yes" }.count
        let report = try Self.report(dir.file("r.json"))
        #expect(report["clips"] as? String == "intelligible only (\(yes) of \(all["examples"] as? Int ?? 0) left out)")
        #expect(report["examples"] as? Int == (all["examples"] as? Int ?? 0) - yes)
        #expect((report["subsets"] as? [[String: Any]])?.first?["examples"] as? Int == test.count - yes)
    }

    @Test func evalSepTakesASplitFolderAndScoresDataAtItsOwnRate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try SeparateCommandTests.tinyModel(in: dir)
        #expect(SepKWS.run(["synth", "mixtures", "--count", "0", "--dev-count", "0", "--test-count", "2", "--out", dir.file("m8")]) == 0)
        #expect(SepKWS.run(["eval-sep", "--model", model, "--data", dir.file("m8"), "--no-sdr", "--json", dir.file("a.json")]) == 0)
        #expect(SepKWS.run(["eval-sep", "--model", model, "--data", dir.file("m8/wav8k/min/test"), "--no-sdr", "--json", dir.file("b.json")]) == 0)
        let a = try Self.report(dir.file("a.json")), b = try Self.report(dir.file("b.json"))
        #expect(a["utterances"] as? Int == 2 && b["utterances"] as? Int == 2)
        // The same mixtures either way (the worker pool may split a reduction differently: equal to rounding).
        let meanA = try #require((a["si_snr_improvement"] as? [String: Any])?["mean"] as? Double)
        let meanB = try #require((b["si_snr_improvement"] as? [String: Any])?["mean"] as? Double)
        #expect(abs(meanA - meanB) < 1e-4)
        // 16 kHz data with the 8 kHz model: scored at 16 kHz unless --rate says otherwise.
        #expect(SepKWS.run(["synth", "mixtures", "--rate", "16000", "--count", "0", "--dev-count", "0", "--test-count", "2", "--out", dir.file("m16")]) == 0)
        #expect(SepKWS.run(["eval-sep", "--model", model, "--data", dir.file("m16"), "--no-sdr", "--json", dir.file("c.json")]) == 0)
        #expect(try Self.report(dir.file("c.json"))["sample_rate"] as? Int == 16_000)
        #expect(SepKWS.run(["eval-sep", "--model", model, "--data", dir.file("m16"), "--rate", "8000", "--no-sdr", "--json", dir.file("d.json")]) == 0)
        #expect(try Self.report(dir.file("d.json"))["sample_rate"] as? Int == 8_000)
    }

    /// `calibrate` stores per-keyword thresholds at the budget in a copy of the shipped model, keeps its weights, and
    /// `eval-stream` replaying the same stream with those stored thresholds makes no false accept (target 0).
    @Test func calibrateStoresThresholdsThatMeetTheBudgetOnItsStream() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.copyItem(atPath: "Datasets/examples/keywords.csv", toPath: dir.file("stream.csv"))
        try FileManager.default.copyItem(atPath: "Datasets/examples/keywords.wav", toPath: dir.file("stream.wav"))
        let model = dir.file("model")
        try FileManager.default.copyItem(atPath: try DefaultModels.keywordSpotterDirectory(), toPath: model)
        let weights = try Data(contentsOf: URL(fileURLWithPath: model + "/model.safetensors"))
        let watched = "stop,up,left,yes,on,right,down"
        let result = try CommandLineRunner.run([
            "calibrate", "--model", model, "--labels", dir.file("stream.csv"), "--audio", dir.file("stream.wav"), "--keywords", watched,
            "--target-fa-per-hour", "0", "--report", dir.file("calibration.json"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let before = try KeywordSpotter.loadConfiguration(directory: try DefaultModels.keywordSpotterDirectory()).thresholds ?? [:]
        let stored = try #require(try KeywordSpotter.loadConfiguration(directory: model).thresholds)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("calibration.json")))) as! [[String: Any]]
        #expect(report.count == 7)
        // The watched keywords get the report's thresholds; the model's others stay as they were (go, no, off).
        for entry in report {
            let keyword = entry["keyword"] as! String, threshold = entry["threshold"] as! Double
            #expect(abs(Double(stored[keyword] ?? -1) - threshold) < 1e-6, "\(keyword)")
            #expect(threshold > 0 && threshold <= 1)
        }
        for keyword in ["go", "no", "off"] { #expect(stored[keyword] == before[keyword], "\(keyword)") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: model + "/model.safetensors")) == weights)
        let replay = try CommandLineRunner.run(["eval-stream", "--labels", dir.file("stream.csv"), "--model", model, "--keywords", watched])
        #expect(replay.status == 0, "\(replay.stderr)")
        // Replayed, the stored thresholds give no more false accepts than the calibration counted: none where the
        // budget (0) was met, the fewest that still detect where it was not.
        let counted = report.map { ($0["point"] as! [String: Any])["false_accepts"] as! Int }
        for (entry, count) in zip(report, counted) where count > 0 { #expect(entry["budget_unmet"] as? Bool == true, "\(entry)") }
        let line = try #require(replay.stdout.split(separator: "\n").first { $0.hasPrefix("at --threshold") })
        let replayed = try #require(line.components(separatedBy: ", ").first { $0.hasSuffix("false accepts (") || $0.contains(" false accepts") })
        let falseAccepts = try #require(Int(replayed.split(separator: " ")[0]))
        #expect(falseAccepts <= counted.reduce(0, +), "\(replay.stdout)")
        // The shipped model is never rewritten by default, and a stream without a watched keyword is an error.
        #expect(try CommandLineRunner.run(["calibrate", "--labels", dir.file("stream.csv")]).status == 2)
        let missing = try CommandLineRunner.run(["calibrate", "--model", model, "--labels", dir.file("stream.csv"), "--keywords", "go"])
        #expect(missing.status == 1 && missing.stderr.contains("go"), "\(missing.stderr)")
    }

    @Test func evalStreamFindsAudioNamedLikeItsLabelsOrSaysWhereItLooked() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.copyItem(atPath: "Datasets/examples/keywords.csv", toPath: dir.file("excerpt.csv"))
        let result = try CommandLineRunner.run(["eval-stream", "--labels", dir.file("excerpt.csv")])
        #expect(result.status == 1 && result.stderr.contains("stream.wav") && result.stderr.contains("excerpt.wav") && result.stderr.contains("--audio"))
        try FileManager.default.copyItem(atPath: "Datasets/examples/keywords.wav", toPath: dir.file("excerpt.wav"))
        #expect(SepKWS.run(["eval-stream", "--labels", dir.file("excerpt.csv")]) == 0)
    }
}
