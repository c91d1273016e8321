import AudioDatasets
import AudioIO
import Foundation
import KeywordSpotting
@testable import SepKWSCommands
import Testing
import TestSupport
import Training

let tinySizes = ["--conv-channels", "4", "--layers", "1", "--heads", "2", "--ffn-dim", "8", "--bottleneck-dim", "8", "--threads", "1"]

@Suite("Keyword-spotting commands", .serialized)
struct KWSCommandTests {
    @Test func trainEvaluateClassifyAndResume() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try makeTinySpeechCommands(in: dir)
        let run = dir.file("run")
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", "12", "--out", run, "--steps", "4", "--batch-size", "4",
                            "--validate-every", "2", "--checkpoint-every", "2", "--log-every", "1"] + tinySizes) == 0)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: run)) == ["checkpoint.safetensors", "log.csv", "settings.json", "model"])
        let log = try String(contentsOfFile: run + "/log.csv", encoding: .utf8).split(separator: "\n")
        #expect(log.first == "step,loss,accuracy,learning_rate,grad_norm,steps_per_second,dev_loss,dev_accuracy")
        #expect(log.count == 5)
        // A finished run resumes to nothing more; options fixed by the run are refused.
        #expect(SepKWS.run(["train-kws", "--resume", run, "--threads", "1"]) == 0)
        #expect(SepKWS.run(["train-kws", "--resume", run, "--steps", "9"]) == 2)
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", "12", "--out", run, "--steps", "2"] + tinySizes) == 1)

        let model = run + "/model"
        let spotter = try KeywordSpotter(directory: model)
        #expect(spotter.configuration.labels == KWSConfiguration.twelveLabels)
        #expect(SepKWS.run(["eval-kws", "--model", model, "--data", data, "--json", dir.file("r.json"), "--plot", dir.file("c.svg"), "--threads", "1"]) == 0)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("r.json")))) as! [String: Any]
        #expect(report["examples"] as? Int == 12)   // 10 words + 1 unknown + 1 silence (balanced to one per class)
        #expect((report["confusion"] as? [[Int]])?.count == 12)
        let svg = try String(contentsOfFile: dir.file("c.svg"), encoding: .utf8)   // the Evaluation heat map: XML declaration, then <svg>
        #expect(svg.hasPrefix("<?xml") && svg.contains("<svg xmlns") && svg.hasSuffix("</svg>\n"))

        // Fine-tuning from that model's encoder.
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", "35", "--init", model, "--out", dir.file("run35"), "--steps", "1",
                            "--batch-size", "2", "--threads", "1"]) == 1)   // 24 of the 35 words have no clip here: a clear error, status 1
    }

    @Test func aWordListIsItsOwnTask() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try makeTinySpeechCommands(in: dir)
        // Five words of the folder are classes; the other six folders are _unknown_.
        try "yes\nno, up\n\ndown\nleft\n".write(toFile: dir.file("words.txt"), atomically: true, encoding: .utf8)
        let run = dir.file("vocab")
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", dir.file("words.txt"), "--out", run, "--steps", "2",
                            "--batch-size", "4", "--validate-every", "2"] + tinySizes) == 0)
        let spotter = try KeywordSpotter(directory: run + "/model")
        #expect(spotter.configuration.labels == ["yes", "no", "up", "down", "left", "_unknown_", "_silence_"])
        // A word folder of the list with no clip, an unreadable or empty list: status 1, naming the file.
        try "yes\nzebra\n".write(toFile: dir.file("zebra.txt"), atomically: true, encoding: .utf8)
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", dir.file("zebra.txt"), "--out", dir.file("z"), "--steps", "1"] + tinySizes) == 1)
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", dir.file("none.txt"), "--out", dir.file("n"), "--steps", "1"] + tinySizes) == 1)
        // More classes than a model may have: refused before any training, not when the model is loaded.
        try (0...KWSConfiguration.limits.labels).map { "w\($0)" }.joined(separator: "\n").write(toFile: dir.file("many.txt"), atomically: true, encoding: .utf8)
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", dir.file("many.txt"), "--out", dir.file("m"), "--steps", "1"] + tinySizes) == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.file("m") + "/checkpoint.safetensors"))
        try "\n".write(toFile: dir.file("empty.txt"), atomically: true, encoding: .utf8)
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", dir.file("empty.txt"), "--out", dir.file("e"), "--steps", "1"] + tinySizes) == 1)
    }

    @Test func classifyPrintsOneJSONObjectPerFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var config = KWSConfiguration(labels: KWSConfiguration.twelveLabels, convChannels: 4, normGroups: 2, layers: 1, heads: 2, feedForwardDimension: 8, bottleneckDimension: 8)
        config.dropout = 0
        try KeywordSpotter.save(KeywordClassifier(configuration: config, seed: 1), to: dir.file("model"))
        let tone = (0..<24_000).map { Float(0.2 * sin(Double($0) * 0.1)) }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 22_050, mono: tone), to: dir.file("a b.wav"))
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: Array(tone.prefix(4_000))), to: dir.file("short.flac"))
        let result = try CommandLineRunner.run(["classify", dir.file("a b.wav"), dir.file("short.flac"), "--model", dir.file("model"), "--json", "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        for (line, file) in zip(lines, [dir.file("a b.wav"), dir.file("short.flac")]) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object["file"] as? String == file)
            #expect(KWSConfiguration.twelveLabels.contains(object["label"] as? String ?? ""))
            let score = object["score"] as? Double ?? -1
            #expect(score > 0 && score <= 1)
            // Encoded like detect's and info's lines: sorted keys, no spaces, slashes kept.
            #expect(line.hasPrefix("{\"file\":\"\(file)\",\"label\":\""))
        }
    }

    @Test func badModelsAndInputsGetClearErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: [Float](repeating: 0.1, count: 16_000)), to: dir.file("x.wav"))
        let missing = try CommandLineRunner.run(["classify", dir.file("x.wav"), "--model", dir.file("nomodel")])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: \(dir.file("nomodel")): no such model folder (expected config.json and model.safetensors)\n")
        try FileManager.default.createDirectory(atPath: dir.file("broken"), withIntermediateDirectories: true)
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: dir.file("broken/config.json")))
        let malformed = try CommandLineRunner.run(["classify", dir.file("x.wav"), "--model", dir.file("broken")])
        #expect(malformed.status == 1)
        #expect(malformed.stderr == "error: \(dir.file("broken/config.json")): malformed model configuration: not valid JSON\n")
    }

    @Test func trainersTakeASettingsFileUnderTheirOptions() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try makeTinySpeechCommands(in: dir)
        let file = dir.file("pretrain.json")
        try #"{"unlabeled": ["\#(data)/yes"], "batch_size": 2, "schedule": {"total_steps": 2, "validate_every": 2}, "seed": 11}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let run = dir.file("pre")
        #expect(SepKWS.run(["pretrain", "--settings", file, "--out", run, "--seed", "12"] + tinySizes) == 0)
        let stored = try String(contentsOfFile: run + "/settings.json", encoding: .utf8)
        #expect(stored.contains("\"batch_size\" : 2") && stored.contains("\"seed\" : 12") && stored.contains("\"total_steps\" : 2"))
        #expect(SepKWS.run(["pretrain", "--resume", run, "--settings", file]) == 2)
        let typo = dir.file("typo.json")
        try #"{"batch_sise": 2}"#.write(toFile: typo, atomically: true, encoding: .utf8)
        #expect(SepKWS.run(["train-kws", "--settings", typo, "--data", data, "--out", dir.file("kws")] + tinySizes) == 1)
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["train-sep", "--resume", run, "--settings", file]) }
    }

    @Test func parsingRejectsImpossibleOptions() {
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["train-kws", "--data", "d", "--labels", "13", "--out", "/tmp/x"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["train-kws", "--data", "d", "--labels", "12"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["train-kws", "--data", "d", "--labels", "12", "--out", "/tmp/x", "--resume", "/tmp/y"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["train-kws", "--data", "d", "--labels", "12", "--out", "/tmp/x", "--label-fraction", "0"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["train-kws", "--data", "d", "--labels", "12", "--out", "/tmp/x", "--exclude-engines", "nosuch"]) }
        #expect((try? SepKWS.parseAsRoot(["train-kws", "--data", "d", "--data", "e", "--labels", "12", "--out", "/tmp/x", "--exclude-engines", "pico,kokoro"])) != nil)
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["pretrain", "--out", "/tmp/x"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["pretrain", "--resume", "/tmp/x", "--unlabeled", "/tmp"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["eval-kws", "--data", "d", "--plot", "c.png"]) }
        // --report FILE is the report file everywhere; --json FILE stays as its hidden old spelling, not both.
        #expect((try? SepKWS.parseAsRoot(["eval-kws", "--data", "d", "--report", "r.json"])) != nil)
        #expect((try? SepKWS.parseAsRoot(["eval-sep", "--data", "d", "--json", "r.json"])) != nil)
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["eval-kws", "--data", "d", "--report", "a.json", "--json", "b.json"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["classify"]) }
    }

    @Test func pretrainRunsOnAFolderAndInitializesFineTuning() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try makeTinySpeechCommands(in: dir)
        let run = dir.file("pre")
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", data + "/no", "--out", run, "--steps", "3", "--batch-size", "2",
                            "--validate-every", "3"] + tinySizes) == 0)
        let log = try String(contentsOfFile: run + "/log.csv", encoding: .utf8).split(separator: "\n")
        #expect(log.first == "step,loss,invariance,reconstruction,contrastive,masked_frames,learning_rate,grad_norm,steps_per_second,val_loss")
        // The default recipe: masked-frame reconstruction alone, masked views, a frame decoder in the checkpoint.
        let settings = try String(contentsOfFile: run + "/settings.json", encoding: .utf8)
        #expect(settings.contains("\"masked_frames\" : 1") && settings.contains("\"contrastive\" : 0") && settings.contains("\"time_masks\" : 8"))
        #expect(try TrainingCheckpoint.modelTensors(runDirectory: run)["frame_decoder.weight"] != nil)
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", "12", "--init", run, "--out", dir.file("ft"), "--steps", "2",
                            "--batch-size", "2", "--threads", "1"]) == 0)
        // The CAB-KWS mix by weights: no frame decoder, no masked-frame column.
        let cab = dir.file("cab")
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", "--out", cab, "--steps", "2", "--batch-size", "2", "--validate-every", "2",
                            "--invariance-weight", "0.8", "--reconstruction-weight", "0.05", "--contrastive-weight", "1",
                            "--masked-frames-weight", "0"] + tinySizes) == 0)
        let cabLog = try String(contentsOfFile: cab + "/log.csv", encoding: .utf8).split(separator: "\n")
        #expect(cabLog.first == "step,loss,invariance,reconstruction,contrastive,learning_rate,grad_norm,steps_per_second,val_loss")
        #expect(try TrainingCheckpoint.modelTensors(runDirectory: cab)["frame_decoder.weight"] == nil)
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", "--out", dir.file("none"), "--masked-frames-weight", "0"]) == 2)
        // Masked-unit prediction: a fitted codebook (not zeros) and a unit head in the checkpoint, a column in the log.
        let units = dir.file("units")
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", "--out", units, "--steps", "2", "--batch-size", "2", "--validate-every", "2",
                            "--masked-frames-weight", "0", "--masked-units-weight", "1", "--units", "16"] + tinySizes) == 0)
        let unitTensors = try TrainingCheckpoint.modelTensors(runDirectory: units)
        #expect(unitTensors["unit_codebook"]?.shape == [16, 40] && unitTensors["unit_codebook"]!.scalars.contains { $0 != 0 })
        #expect(unitTensors["unit_decoder.weight"] != nil && unitTensors["frame_decoder.weight"] == nil)
        let unitLog = try String(contentsOfFile: units + "/log.csv", encoding: .utf8).split(separator: "\n")
        #expect(unitLog.first == "step,loss,invariance,reconstruction,contrastive,masked_units,visible_units,learning_rate,grad_norm,steps_per_second,val_loss")
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", "12", "--init", units, "--out", dir.file("ft-units"), "--steps", "2",
                            "--batch-size", "2", "--threads", "1"]) == 0)
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", "--out", dir.file("units0"), "--units", "16"]) == 2)
        // SimSiam: its projector and predictor in the checkpoint, its loss and the collapse monitor in the log.
        let siamese = dir.file("siamese")
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", "--out", siamese, "--steps", "2", "--batch-size", "2",
                            "--validate-every", "2", "--masked-frames-weight", "0", "--siamese-weight", "1"] + tinySizes) == 0)
        let siameseTensors = try TrainingCheckpoint.modelTensors(runDirectory: siamese)
        #expect(siameseTensors["predictor.3.weight"] != nil && siameseTensors["siamese_projector.0.weight"] != nil)
        let siameseLog = try String(contentsOfFile: siamese + "/log.csv", encoding: .utf8).split(separator: "\n")
        #expect(siameseLog.first == "step,loss,invariance,reconstruction,contrastive,siamese,embedding_spread,learning_rate,grad_norm,steps_per_second,val_loss")
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", "12", "--init", siamese, "--out", dir.file("ft-siamese"), "--steps", "2",
                            "--batch-size", "2", "--threads", "1"]) == 0)
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", "--out", dir.file("siamese-neg"), "--siamese-weight=-1"]) == 2)
        // Mined pairs: the setting is kept with the run; more neighbours than other files is an error naming the folder.
        // A 5 s recording beside the clips keeps two views of one crop: it is neither paired nor a neighbour.
        let long = dir.file("long")
        try FileManager.default.createDirectory(atPath: long, withIntermediateDirectories: true)
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: (0..<80_000).map { Float(0.2 * sin(Double($0) * 0.05)) }),
                                  to: long + "/talk.wav")
        let mined = dir.file("mined")
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", data + "/no", long, "--out", mined, "--steps", "2", "--batch-size", "2",
                            "--validate-every", "2", "--masked-frames-weight", "0", "--contrastive-weight", "1", "--neighbor-pairs", "2"] + tinySizes) == 0)
        #expect(try String(contentsOfFile: mined + "/settings.json", encoding: .utf8).contains("\"neighbor_pairs\" : 2"))
        #expect(SepKWS.run(["pretrain", "--resume", mined, "--threads", "1"]) == 0)
        let pairs = try CSVTable(path: mined + "/neighbors.csv")
        #expect(pairs.header == ["file", "neighbor_1", "neighbor_2"] && pairs.rows.count == 6)
        #expect(pairs.rows.allSatisfy { Set($0).count == 3 && !$0.contains { $0.hasSuffix("talk.wav") } })
        // A second round: the neighbours found by the first run's encoder.
        let second = dir.file("mined2")
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", data + "/no", "--out", second, "--steps", "1", "--batch-size", "2",
                            "--masked-frames-weight", "0", "--contrastive-weight", "1", "--neighbor-pairs", "2", "--neighbors-from", mined]
                           + tinySizes) == 0)
        #expect(try String(contentsOfFile: second + "/settings.json", encoding: .utf8).contains("\"neighbors_from\" : \"\(mined)\""))
        #expect(try CSVTable(path: second + "/neighbors.csv").rows.count == 6)
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", "--out", dir.file("from-only"), "--neighbors-from", mined]) == 2)
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", data + "/no", "--out", dir.file("from-missing"), "--steps", "1",
                            "--masked-frames-weight", "0", "--contrastive-weight", "1", "--neighbor-pairs", "2",
                            "--neighbors-from", dir.file("nothing")] + tinySizes) == 1)
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", "--out", dir.file("mined3"), "--steps", "2", "--batch-size", "2",
                            "--neighbor-pairs", "3"] + tinySizes) == 1)
        #expect(SepKWS.run(["pretrain", "--unlabeled", data + "/yes", "--out", dir.file("mined-neg"), "--neighbor-pairs=-1"]) == 2)
    }
}
