import AudioDatasets
import Foundation
import Streaming
import KeywordSpotting
import TensorCore
@testable import SepKWSCommands
import TestSupport
import Testing

@Suite struct WakeWordCommandTests {
    /// The shipped 35-word model: its configuration predates stored thresholds.
    static func unthresholdedModel() throws -> String { try #require(ModelLocator.shipped("kws-cab-35")) }

    /// A copy of the shipped 35-word model (no thresholds of its own), optionally with stored thresholds.
    static func modelCopy(in dir: TemporaryDirectory, thresholds: [String: Float]?) throws -> String {
        let model = dir.file("model")
        try FileManager.default.copyItem(atPath: try Self.unthresholdedModel(), toPath: model)
        if let thresholds { try KeywordSpotter.storeThresholds(thresholds, inModel: model) }
        return model
    }

    @Test func oldConfigurationsLoadWithoutThresholdsAndStoredOnesRoundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let plain = try KeywordSpotter.loadConfiguration(directory: try Self.unthresholdedModel())
        #expect(plain.thresholds == nil)
        #expect(!String(decoding: plain.jsonData(), as: UTF8.self).contains("thresholds"))
        let model = try Self.modelCopy(in: dir, thresholds: ["yes": 0.9, "stop": 0.95])
        let stored = try KeywordSpotter.loadConfiguration(directory: model)
        #expect(stored.thresholds == ["yes": 0.9, "stop": 0.95])
        #expect(try stored.storedThreshold(for: "yes") == 0.9 && stored.storedThreshold(for: "no") == nil)
        _ = try KeywordSpotter(directory: model)   // the weights still load
        #expect(throws: KeywordSpottingError.invalidConfiguration(field: "thresholds.maybe", value: "0.5", reason: "not a label of the model")) {
            try KeywordSpotter.storeThresholds(["maybe": 0.5], inModel: model)
        }
        #expect(throws: KeywordSpottingError.invalidConfiguration(field: "thresholds.yes", value: "1.5", reason: "must be a probability in [0, 1]")) {
            try KeywordSpotter.storeThresholds(["yes": 1.5], inModel: model)
        }
    }

    @Test func givenThresholdsBeatStoredOnesWhichBeatTheDefault() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try Self.modelCopy(in: dir, thresholds: ["yes": 0.9])
        let spotter = try KeywordSpotter(directory: model)
        let labels = spotter.configuration.labels
        func thresholds(_ arguments: [String]) throws -> [String: Float] {
            let options = try DetectionOptions.parse(["--model", model] + arguments)
            let settings = try options.settings(for: spotter)
            return Dictionary(uniqueKeysWithValues: zip(settings.keywords.map { labels[$0] }, settings.thresholds))
        }
        #expect(try thresholds([])["yes"] == 0.9 && thresholds([])["no"] == 0.999)
        #expect(try thresholds(["--threshold", "0.7"])["yes"] == 0.7 && thresholds(["--threshold", "0.7"])["no"] == 0.7)
        #expect(try thresholds(["--threshold", "no=0.8"])["yes"] == 0.9 && thresholds(["--threshold", "no=0.8"])["no"] == 0.8)
        let plain = try KeywordSpotter(directory: try Self.unthresholdedModel())
        #expect(try DetectionOptions.parse(["--keywords", "yes,no"]).settings(for: plain).thresholds.allSatisfy { $0 == 0.999 })
        // The shipped 12-keyword model carries a calibrated threshold for each of its ten keywords.
        let shipped = try KeywordSpotter(directory: try DefaultModels.keywordSpotterDirectory())
        let defaults = try DetectionOptions.parse([]).settings(for: shipped).thresholds
        #expect(defaults.count == 10 && defaults.allSatisfy { $0 > 0.5 && $0 <= 1 } && Set(defaults).count > 1, "\(defaults)")
    }

    @Test func wordsExcludeSpeechCommandsOptions() throws {
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["train-kws", "--words", "hey jarvis", "--data", "d", "--out", "/tmp/x"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["train-kws", "--out", "/tmp/x", "--target-fa-per-hour", "1"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["train-kws", "--words", " , ", "--out", "/tmp/x"]) }
        let message = TrainKWS.message(for: ValidationErrorProbe.run(["train-kws", "--words", "hey jarvis", "--labels", "12", "--out", "/tmp/x"]))
        #expect(message.contains("--labels does not go with --words"), "\(message)")
    }

    @Test func aSettingsFilesWakeWordKeyOfTheWrongTypeNamesTheFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.file("settings.json")
        try #"{"wake_word": {"mining_minutes": "ten"}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let run = dir.file("run")
        let result = try CommandLineRunner.run(["train-kws", "--words", "hey jarvis", "--out", run, "--engines", "espeak", "--settings", file])
        #expect(result.status == 1 && result.stderr.contains(file) && result.stderr.contains("wake_word.mining_minutes"), "\(result.status): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run + "/data"), "the data stage ran before the file was read")
        // An impossible stream-context value and an unknown key fail before any synthesis too.
        for (text, cause) in [(#"{"context": {"keyword_tail_seconds": 0.7}}"#, "keyword_tail_seconds"), (#"{"contxt": {}}"#, "contxt")] {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let bad = try CommandLineRunner.run(["train-kws", "--words", "hey jarvis", "--out", run, "--engines", "espeak", "--settings", file])
            #expect(bad.status != 0 && bad.stderr.contains(cause), "\(bad.status): \(bad.stderr)")
            #expect(!FileManager.default.fileExists(atPath: run + "/data"), "the data stage ran before \(cause) was refused")
        }
    }

    @Test func aMissingEncoderFailsBeforeAnySynthesis() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let run = dir.file("run")
        let result = try CommandLineRunner.run(["train-kws", "--words", "hey jarvis", "--init", dir.file("no-model"), "--out", run, "--engines", "espeak"])
        #expect(result.status == 1 && result.stderr.contains(dir.file("no-model")), "\(result.status): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run + "/data"), "the data stage ran before the encoder was found")
    }

    /// The whole recipe on a tiny scale (espeak-ng alone, a few clips and steps): the model folder holds the phrase's
    /// labels and a calibrated threshold, `eval-stream` replaying the calibration stream with the stored threshold
    /// reproduces the calibration's miss count, and `detect` labels its events with the phrase as given. A model
    /// trained for seconds is not a good detector, so detection quality is checked loosely (at the threshold 0.5, an
    /// event near a true occurrence).
    @Test func aTinyWakeWordRunEndToEnd() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let words = dir.file("words.txt")
        try "harvest\nhigh\nthey\nparvis\nhello\nway\n".write(toFile: words, atomically: true, encoding: .utf8)
        let run = dir.file("run")
        // A settings file sets what no option gives, over the defaults of a --words run, its wake_word keys included
        // (they decide the data stage's streams); an option wins over the file (--mining-minutes).
        let file = dir.file("settings.json")
        try #"""
            {"unknown_share": 0.5, "context": {"running_unknown_share": 0.4},
             "wake_word": {"calibration_minutes": 0.4, "mining_threshold": 0.05, "mining_minutes": 9, "target_fa_per_hour": 3}}
            """#.write(toFile: file, atomically: true, encoding: .utf8)
        let train = try CommandLineRunner.run([
            "train-kws", "--words", "hey jarvis", "--out", run, "--engines", "espeak", "--clips-per-phrase", "8",
            "--steps", "60", "--batch-size", "8", "--validate-every", "60", "--word-list", words, "--threads", "1",
            "--competing-talker", "0.5,-5,10", "--mining-minutes", "0.4", "--settings", file,
        ])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("\"hey jarvis\": threshold") && train.stdout.contains("expected FRR"), "\(train.stdout)")
        let configuration = try KeywordSpotter.loadConfiguration(directory: run + "/model")
        #expect(configuration.labels == ["hey jarvis", "_unknown_", "_silence_"])
        let threshold = try #require(configuration.thresholds?["hey jarvis"])
        #expect(threshold > 0 && threshold <= 1)
        #expect(FileManager.default.fileExists(atPath: run + "/data/hey_jarvis"))
        // Stream context from the synthesized running speech of training-split speakers.
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/settings.json"))) as! [String: Any]
        // Fine-tuned from the shipped 1,000-word encoder.
        #expect((settings["init"] as? String)?.hasSuffix("/kws-words-1000") == true, "\(settings["init"] ?? "none")")
        #expect(settings["context_folders"] as? [String] == [run + "/context-speech"], "\(settings["context_folders"] ?? "none")")
        #expect(try !AudioFolder.files(in: run + "/context-speech").isEmpty)
        let context = try #require(settings["context"] as? [String: Any])
        #expect(context["competing_probability"] as? Double == 0.5 && context["competing_min_db"] as? Double == -5
                && context["competing_max_db"] as? Double == 10, "\(context)")
        #expect(context["running_unknown_share"] as? Double == 0.4 && settings["unknown_share"] as? Double == 0.5, "\(settings)")
        let wake = try #require(settings["wake_word"] as? [String: Any])
        #expect(wake["calibration_minutes"] as? Double == 0.4 && wake["mining_threshold"] as? Double == 0.05
                && wake["mining_minutes"] as? Double == 0.4 && wake["target_fa_per_hour"] as? Double == 3, "\(wake)")
        #expect(train.stdout.contains("(target 3.00)"), "\(train.stdout)")
        // --augment and the weight average are on by default with --words.
        #expect((settings["augmentation"] as? [String: Any])?["channel"] != nil && settings["average_decay"] as? Double == 0.999,
                "\(settings)")
        let confusers = try String(contentsOfFile: run + "/data/confusers.txt", encoding: .utf8)
        #expect(confusers.contains("harvest"), "\(confusers)")

        // Mining: the first model (a third of the steps) mined its false accepts on a stream of training speakers;
        // they joined _unknown_, and the model trained again from the same encoder for all the steps became RUN/model
        // (the first one kept).
        let mined = try CSVTable(path: run + "/mining/hard/mined.csv")
        #expect(!mined.rows.isEmpty && mined.rows.allSatisfy { $0[2] == "hey jarvis" && (Float($0[3]) ?? 0) >= 0.05 }, "\(mined.rows)")
        #expect(try AudioFolder.files(in: run + "/data/unknown-hard").count == mined.rows.count)
        let streamLabels = try CSVTable(path: run + "/mining/stream/labels.csv")
        #expect(streamLabels.rows.contains { $0[0] == "hey jarvis" })
        #expect(train.stdout.contains("second round (with \(mined.rows.count) mined windows)") && train.stdout.contains(" mining, "), "\(train.stdout)")
        let again = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/mining/run/settings.json"))) as! [String: Any]
        #expect((settings["schedule"] as? [String: Any])?["total_steps"] as? Int == 20, "\(settings)")
        #expect((settings["wake_word"] as? [String: Any])?["second_round_steps"] as? Int == 60, "\(settings)")
        #expect((again["schedule"] as? [String: Any])?["total_steps"] as? Int == 60 && again["init"] as? String == settings["init"] as? String)
        let first = try SafeTensors.read(contentsOf: URL(fileURLWithPath: run + "/mining/first-model/model.safetensors")).tensors
        let second = try SafeTensors.read(contentsOf: URL(fileURLWithPath: run + "/model/model.safetensors")).tensors
        #expect(first.keys.sorted() == second.keys.sorted())
        #expect(first.keys.contains { first[$0]!.scalars != second[$0]!.scalars })
        // A run killed between the two renames of the swap (the first model moved away, the second not yet in place),
        // resumed: it trains nothing again, puts the second model in place and calibrates it.
        try FileManager.default.moveItem(atPath: run + "/model", toPath: run + "/mining/run/model")
        let resumed = try CommandLineRunner.run(["train-kws", "--resume", run, "--threads", "1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(!resumed.stdout.contains("second round") && resumed.stdout.contains("expected FRR"), "\(resumed.stdout)")
        let after = try SafeTensors.read(contentsOf: URL(fileURLWithPath: run + "/model/model.safetensors")).tensors
        #expect(after["classifier.weight"]?.scalars == second["classifier.weight"]?.scalars)

        // Replaying the calibration stream at the stored threshold gives the calibration's misses.
        let calibration = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/calibration/calibration.json"))) as! [[String: Any]]
        let point = calibration[0]["point"] as! [String: Any]
        // It also names what came closest to the phrase, each with the segment of the stream its window heard.
        let closest = try #require(calibration[0]["closest_false_accepts"] as? [[String: Any]])
        #expect(closest.count <= 3 && closest.allSatisfy { $0["segment"] is [String: Any] }, "\(closest)")
        let replay = try CommandLineRunner.run(["eval-stream", "--labels", run + "/calibration/labels.csv", "--model", run + "/model"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("at --threshold the model's stored thresholds: FRR") &&
                replay.stdout.contains("(\(point["misses"] as! Int) of \(calibration[0]["occurrences"] as! Int) missed)"), "\(replay.stdout)")

        // detect: with the stored threshold it runs; at 0.5 it fires "hey jarvis" near an occurrence.
        let stream = run + "/calibration/stream.wav"
        let stored = try CommandLineRunner.run(["detect", stream, "--model", run + "/model"])
        #expect(stored.status == 0, "\(stored.stderr)")
        let low = try CommandLineRunner.run(["detect", stream, "--model", run + "/model", "--threshold", "0.5"])
        let events = try DetectCommandTests.events(low.stdout)
        #expect(!events.isEmpty && events.allSatisfy { $0["keyword"] as? String == "hey jarvis" }, "\(low.stdout)")
        let occurrences = try CSVTable(path: run + "/calibration/labels.csv").rows.compactMap { Double($0[1]) }
        #expect(events.contains { event in
            let time = event["time"] as? Double ?? -1
            return occurrences.contains { time > $0 && time <= $0 + 2.5 }
        }, "\(low.stdout)")
    }
}

/// Runs `parseAsRoot` and returns the error it throws, if any.
enum ValidationErrorProbe {
    static func run(_ arguments: [String]) -> (any Error)? {
        do { _ = try SepKWS.parseAsRoot(arguments); return nil } catch { return error }
    }
}

extension TrainKWS {
    /// The message the command line would print for `error`.
    static func message(for error: (any Error)?) -> String { error.map { SepKWS.message(for: $0) } ?? "" }
}
