import AudioIO
import AudioDatasets
import Evaluation
import Foundation
import Streaming
import Separation
@testable import SepKWSCommands
import Testing
import TestSupport

@Suite struct SeparateCommandTests {
    /// A tiny random MossFormer2 written as a model directory.
    static func tinyModel(in dir: TemporaryDirectory) throws -> String {
        let model = try MossFormer2Separator(configuration: .tiny, seed: 3)
        let path = dir.file("tiny-model")
        try model.write(directory: path)
        return path
    }

    @Test func writesOneFilePerTalkerAtTheInputRate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try Self.tinyModel(in: dir)
        // A 16 kHz stereo input: mixed down, resampled to 8 kHz for the model and back to 16 kHz.
        let a = (0..<16_000).map { Float(0.2 * sin(2 * Double.pi * 300 * Double($0) / 16_000)) }
        let b = (0..<16_000).map { Float(0.2 * sin(2 * Double.pi * 1_100 * Double($0) / 16_000)) }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, channels: [a, b]), to: dir.file("mix.flac"))
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: true)
        #expect(SepKWS.run(["separate", dir.file("mix.flac"), "--model", model, "--out-dir", dir.file("out"), "--normalize", "rms"]) == 0)
        var levels: [Double] = [], peaks: [Float] = []
        for name in ["mix_s1.wav", "mix_s2.wav"] {
            let buffer = try AudioFileReader.read(path: dir.file("out/\(name)"))
            #expect(buffer.sampleRate == 16_000 && buffer.channelCount == 1 && buffer.frameCount == 16_000)
            levels.append((buffer.channels[0].map { Double($0) * Double($0) }.reduce(0, +) / 16_000).squareRoot())
            peaks.append(buffer.channels[0].map(abs).max()!)
        }
        // rms normalisation: each output at the mixture's RMS, unless that would clip; then both are turned down
        // together (the random tiny model's outputs are peaky), so they keep equal levels and the loudest peak is
        // just under full scale.
        let mixRMS = (zip(a, b).map { Double(($0 + $1) / 2) }.map { $0 * $0 }.reduce(0, +) / 16_000).squareRoot()
        #expect(abs(levels[0] / levels[1] - 1) < 0.05)
        #expect(abs(levels[0] / mixRMS - 1) < 0.05 || abs(Double(peaks.max()!) - 0.999) < 0.01, "\(levels) \(peaks)")
        // Re-running on the folder skips the outputs it wrote.
        #expect(SeparationOutputPlan.isOutput(dir.file("out/mix_s1.wav")) && !SeparationOutputPlan.isOutput(dir.file("mix.flac")))
    }

    @Test func longInputsAndStdinGoThroughWindows() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try Self.tinyModel(in: dir)
        let x = (0..<80_000).map { Float(0.2 * sin(2 * Double.pi * 440 * Double($0) / 8_000)) }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: x), to: dir.file("long.wav"))
        #expect(SepKWS.run(["separate", dir.file("long.wav"), "--model", model, "--window-seconds", "2", "--overlap-seconds", "0.5"]) == 0)
        #expect(try AudioFileReader(path: dir.file("long_s2.wav")).info.frameCount == 80_000)
        // Raw s16le at 16 kHz on stdin: outputs at 16 kHz named stdin_sN.
        var bytes = Data()
        for v in x.prefix(32_000) {
            let sample = Int16(v * 32_767)
            bytes.append(contentsOf: [UInt8(truncatingIfNeeded: sample), UInt8(truncatingIfNeeded: sample >> 8)])
        }
        let result = try CommandLineRunner.run(["separate", "-", "--model", model, "--rate", "16000", "--out-dir", dir.path], stdin: bytes)
        #expect(result.status == 0, "\(result.stderr)")
        let info = try AudioFileReader(path: dir.file("stdin_s1.wav")).info
        #expect(info.sampleRate == 16_000 && abs(info.frameCount - 32_000) <= 1)
        #expect(!FileManager.default.fileExists(atPath: dir.file("stdin_s1.wav.stage.wav")))
    }

    @Test func theDefaultSeparatorFollowsTheInputRate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let models = dir.file("Models")
        #expect(ModelLocator.separator(forInputRate: 16_000, in: [models]) == nil)
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: try Self.tinyModel(in: dir), toPath: models + "/mossformer2-8k")
        for rate in [4_000, 8_000, 16_000, 48_000] {
            #expect(ModelLocator.separator(forInputRate: rate, in: [models]) == models + "/mossformer2-8k", "\(rate) Hz")
        }
        try FileManager.default.copyItem(atPath: models + "/mossformer2-8k", toPath: models + "/mossformer2-16k")
        for (rate, name) in [(4_000, "8k"), (8_000, "8k"), (11_025, "8k"), (16_000, "16k"), (44_100, "16k")] {
            #expect(ModelLocator.separator(forInputRate: rate, in: [models]) == models + "/mossformer2-\(name)", "\(rate) Hz")
        }
    }

    @Test func evalSepWritesReports() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try Self.tinyModel(in: dir)
        #expect(SepKWS.run(["synth", "mixtures", "--count", "0", "--dev-count", "1", "--test-count", "2", "--out", dir.file("mix")]) == 0)
        #expect(SepKWS.run(["eval-sep", "--model", model, "--data", dir.file("mix"), "--csv", dir.file("u.csv"),
                            "--json", dir.file("s.json"), "--plot", dir.file("h.svg"), "--no-both-polarities"]) == 0)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("s.json")))) as? [String: Any]
        #expect(summary?["utterances"] as? Int == 2)
        #expect(try String(contentsOfFile: dir.file("h.svg"), encoding: .utf8).contains("<svg"))
        #expect(try String(contentsOfFile: dir.file("u.csv"), encoding: .utf8).split(separator: "\n").count == 3)
        // Scored at 16 kHz: the 8 kHz model gets resampled mixtures and its estimates are resampled back.
        #expect(SepKWS.run(["eval-sep", "--model", model, "--data", dir.file("mix"), "--rate", "16000", "--json", dir.file("s16.json")]) == 0)
        let summary16 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("s16.json")))) as? [String: Any]
        #expect(summary16?["sample_rate"] as? Int == 16_000 && summary16?["utterances"] as? Int == 2)
        let seconds = try #require(summary?["audio_seconds"] as? Double), seconds16 = try #require(summary16?["audio_seconds"] as? Double)
        #expect(abs(seconds - seconds16) < 0.01)
        #expect(SepKWS.run(["eval-sep", "--model", model, "--data", dir.file("mix"), "--rate", "16"]) != 0)
        // --polarity inverted negates each mixture before separating: the inputs' scores stay (SI-SNR and SDR ignore
        // an estimate's sign), the separated ones are the model's on the negated mixtures.
        #expect(SepKWS.run(["eval-sep", "--model", model, "--data", dir.file("mix"), "--polarity", "inverted", "--json", dir.file("neg.json"),
                            "--no-both-polarities"]) == 0)
        let negated = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("neg.json")))) as? [String: Any]
        func mean(_ summary: [String: Any]?, _ key: String) -> Double? { (summary?[key] as? [String: Any])?["mean"] as? Double }
        for key in ["input_si_snr", "input_sdr"] {
            let plain = try #require(mean(summary, key)), inverted = try #require(mean(negated, key))
            #expect(abs(plain - inverted) < 1e-4, "\(key): \(plain) vs \(inverted)")
        }
        #expect(try #require(mean(negated, "si_snr_improvement")) != (try #require(mean(summary, "si_snr_improvement"))))
        // With --both-polarities the negated mixture's passes are averaged in: then either polarity scores the same.
        var averaged: [Double] = []
        for (polarity, flags) in [("as-recorded", ["--both-polarities"]), ("inverted", ["--both-polarities"])] {
            let path = dir.file("both-\(polarity).json")
            #expect(SepKWS.run(["eval-sep", "--model", model, "--data", dir.file("mix"), "--polarity", polarity,
                                "--shifts", "2", "--no-sdr", "--json", path] + flags) == 0)
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            averaged.append(try #require(mean(report, "si_snr_improvement")))
        }
        #expect(abs(averaged[0] - averaged[1]) < 1e-3, "\(averaged)")

        // Mixtures longer than --window-seconds are scored as `separate` serves them: chunked (here 0.25 s windows).
        #expect(SepKWS.run(["eval-sep", "--model", model, "--data", dir.file("mix"), "--window-seconds", "0.25", "--overlap-seconds", "0.125",
                            "--no-sdr", "--no-both-polarities", "--json", dir.file("w.json")]) == 0)
        let windowed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("w.json")))) as? [String: Any]
        let separator = try MossFormer2Separator(directory: model)
        let chunked = ChunkedSeparator(plan: try ChunkPlan(windowSeconds: 0.25, overlapSeconds: 0.125, sampleRate: 8_000), speakers: 2) {
            separator.separate($0)
        }
        let examples = try SeparationDataset.examples(root: dir.file("mix"), split: "test", mixture: .clean)
        let expected = try SeparationEvaluator(sampleRate: 8_000, computeSDR: false).evaluate(examples, separate: chunked.separate)
        let windowedMean = try #require(mean(windowed, "si_snr_improvement")), plainMean = try #require(mean(summary, "si_snr_improvement"))
        #expect(abs(windowedMean - expected.summary.siSNRImprovement.mean) < 1e-3, "\(windowedMean) vs \(expected.summary.siSNRImprovement.mean)")
        #expect(abs(windowedMean - plainMean) > 1e-3, "the windows changed nothing: \(windowedMean)")
        // They are the scores of the files `separate` writes with the same windows (unscaled, as eval-sep scores).
        let out = dir.file("separated")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var written: [Double] = []
        for example in examples {
            #expect(SepKWS.run(["separate", example.mixture, "--model", model, "--out-dir", out, "--window-seconds", "0.25",
                                "--overlap-seconds", "0.125", "--no-both-polarities", "--normalize", "none"]) == 0)
            let name = ((example.mixture as NSString).lastPathComponent as NSString).deletingPathExtension
            let stems = try (1...2).map { try AudioFileReader.read(path: "\(out)/\(name)_s\($0).wav").channels[0] }
            written.append(try SeparationEvaluator(sampleRate: 8_000, computeSDR: false).evaluate(example) { _ in stems }.siSNRImprovement)
        }
        let writtenMean = written.reduce(0, +) / Double(written.count)
        #expect(abs(windowedMean - writtenMean) < 1e-2, "eval-sep \(windowedMean) vs the written files \(writtenMean)")
    }

    @Test func outputsAreAtTheMixturesScaleAndNeverClipSilently() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try Self.tinyModel(in: dir)
        let mix = (0..<8_000).map { n -> Float in
            let t = Double(n)
            return Float(0.3 * sin(t * 0.05) + 0.1 * sin(t * 0.31))
        }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: mix), to: dir.file("mix.wav"))
        func residual(_ mode: String) throws -> Double {
            let out = dir.file(mode)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            #expect(SepKWS.run(["separate", dir.file("mix.wav"), "--model", model, "--out-dir", out, "--normalize", mode, "--format", "flac"]) == 0)
            let stems = try (1...2).map { try AudioFileReader.read(path: "\(out)/mix_s\($0).flac").channels[0] }
            return zip(mix.indices, mix).map { t, m in Double(m - stems[0][t] - stems[1][t]) }.map { $0 * $0 }.reduce(0, +)
        }
        // The default gains are the least-squares ones: the stems rebuild the mixture better than any other scaling.
        let fitted = try residual("mixture"), rms = try residual("rms"), none = try residual("none")
        #expect(fitted <= rms + 1e-3 && fitted <= none + 1e-3, "\(fitted) \(rms) \(none)")
        // A full-scale square wave scaled to its RMS would clip: the outputs are turned down, with a warning.
        let square = (0..<8_000).map { Float(($0 / 40) % 2 == 0 ? 0.999 : -0.999) }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: square), to: dir.file("loud.wav"))
        try FileManager.default.createDirectory(atPath: dir.file("loud"), withIntermediateDirectories: true)
        let result = try CommandLineRunner.run(["separate", dir.file("loud.wav"), "--model", model, "--out-dir", dir.file("loud"), "--normalize", "rms", "--json"])
        #expect(result.status == 0 && result.stderr.contains("so that none clips"), "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((report["levels_dbfs"] as? [Double])?.count == 2 && report["file"] as? String == dir.file("loud.wav"))
        for k in 1...2 {
            let stem = try AudioFileReader.read(path: dir.file("loud/loud_s\(k).wav")).channels[0]
            #expect(stem.map(abs).max()! < 1)
        }
    }

    @Test func theModelChoosesWhetherBothPolaritiesAreAveragedByDefault() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let reference = try Self.tinyModel(in: dir)
        var opted = MossFormer2Configuration.tiny
        opted.bothPolarities = true
        try MossFormer2Separator(configuration: opted, seed: 3).write(directory: dir.file("opted"))
        #expect(try MossFormer2Configuration(contentsOf: dir.file("opted/config.json")).bothPolarities == true)
        #expect(try MossFormer2Configuration(contentsOf: reference + "/config.json").bothPolarities == nil)
        let mix = (0..<8_000).map { Float(0.2 * sin(Double($0) * 0.05) + 0.1 * sin(Double($0) * 0.31)) }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: mix), to: dir.file("mix.wav"))
        func stems(_ model: String, _ flags: [String]) throws -> [[Float]] {
            let out = dir.file("out-\(UUID().uuidString)")
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            #expect(SepKWS.run(["separate", dir.file("mix.wav"), "--model", model, "--out-dir", out, "--normalize", "none"] + flags) == 0)
            return try (1...2).map { try AudioFileReader.read(path: "\(out)/mix_s\($0).wav").channels[0] }
        }
        // A reference checkpoint (no key) runs one pass, as the reference code does; the opted-in model runs both.
        #expect(try stems(reference, []) == stems(reference, ["--no-both-polarities"]))
        #expect(try stems(reference, []) != stems(reference, ["--both-polarities"]))
        #expect(try stems(dir.file("opted"), []) == stems(dir.file("opted"), ["--both-polarities"]))
        #expect(try stems(dir.file("opted"), []) != stems(dir.file("opted"), ["--no-both-polarities"]))
    }

    @Test func theShippedSeparatorLoadsAndSeparatesTheBundledExample() throws {
        let directory = try #require(ModelLocator.shipped(ModelLocator.defaultSeparator), "Models/mossformer2-8k not found")
        let model = try MossFormer2Separator(directory: directory)
        #expect(model.configuration.sampleRate == 8_000 && model.configuration.numSpks == 2)
        let mixture = try AudioFileReader.read(path: "Datasets/examples/mixture.wav").channels[0]
        let sources = model.separate(mixture)
        #expect(sources.count == 2 && sources.allSatisfy { $0.count == mixture.count && $0.allSatisfy(\.isFinite) })
        // It separates in one pass: the bundled mixture's talkers were never heard in training (8.1 dB with the
        // shipped weights of session 19), and the negated mixture too, as a recording of the other polarity (7.9 dB;
        // the weights shipped in session 11, trained on one polarity, 2.5 dB); a floor of 5 dB catches a broken or
        // mis-converted model.
        let references = try (1...2).map { try AudioFileReader.read(path: "Datasets/examples/mixture_ref_s\($0).wav").channels[0] }
        for (name, input) in [("as recorded", mixture), ("negated", mixture.map { -$0 })] {
            let estimates = name == "as recorded" ? sources : model.separate(input)
            let result = try SeparationMetrics.permutationInvariantSISNR(estimates: estimates, references: references)
            let improvement = try zip(result.permutation, references).map { estimate, reference in
                try SeparationMetrics.siSNRImprovement(estimate: estimates[estimate], reference: reference, mixture: input)
            }
            #expect(improvement.reduce(0, +) / 2 > 5, "SI-SNRi \(improvement) dB on the bundled example, \(name)")
        }
        // Shift averaging keeps the first pass's speaker order: each averaged talker is closest to the same talker
        // of the plain pass.
        let averaged = model.separate(mixture, shifts: 4)
        #expect(averaged.count == 2 && averaged.allSatisfy { $0.count == mixture.count && $0.allSatisfy(\.isFinite) })
        #expect(PermutationAligner.order(previous: sources, current: averaged) == [0, 1])
    }

    /// The compressed separator (half the multiply-adds) on the same example: 6.7 dB SI-SNRi when it shipped (session
    /// 24; one pass); a floor of 5 dB catches a broken or mis-pruned model.
    @Test func theShippedHalfSeparatorSeparatesTheBundledExample() throws {
        let model = try MossFormer2Separator(directory: "Models/mossformer2-8k-half")
        #expect(model.configuration.compressedFrom == "mossformer2-8k")
        let mixture = try AudioFileReader.read(path: "Datasets/examples/mixture.wav").channels[0]
        let references = try (1...2).map { try AudioFileReader.read(path: "Datasets/examples/mixture_ref_s\($0).wav").channels[0] }
        let estimates = model.separate(mixture)
        let result = try SeparationMetrics.permutationInvariantSISNR(estimates: estimates, references: references)
        let improvement = try zip(result.permutation, references).map { estimate, reference in
            try SeparationMetrics.siSNRImprovement(estimate: estimates[estimate], reference: reference, mixture: mixture)
        }
        #expect(improvement.reduce(0, +) / 2 > 5, "SI-SNRi \(improvement) dB on the bundled example")
    }

    @Test func badModelsAndInputsAreClearErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = try Self.tinyModel(in: dir)
        try "{\"encoder_embedding_dim\": 16, \"mossformer_sequence_dim\": 32}".write(toFile: dir.file("bad.json"), atomically: true, encoding: .utf8)
        #expect(throws: SeparationError.invalidConfiguration(
            field: "mossformer_sequence_dim", value: "32",
            reason: "must equal encoder_embedding_dim (16): the reference decoder is built with D channels and fed N")) {
            try MossFormer2Configuration(contentsOf: dir.file("bad.json"))
        }
        try "{\"num_spks\": 2, \"colour\": 3}".write(toFile: dir.file("unknown.json"), atomically: true, encoding: .utf8)
        #expect(throws: SeparationError.unknownKeys(path: dir.file("unknown.json"), keys: ["colour"])) {
            try MossFormer2Configuration(contentsOf: dir.file("unknown.json"))
        }
        #expect(throws: SeparationError.modelDirectory(.noSuchDirectory(path: dir.file("nothing")))) { try MossFormer2Separator(directory: dir.file("nothing")) }
        // Weights that do not fit: every problem named.
        try FileManager.default.removeItem(atPath: model + "/model.safetensors")
        #expect(throws: SeparationError.modelDirectory(.missingFile(path: model + "/model.safetensors"))) { try MossFormer2Separator(directory: model) }
        let result = try CommandLineRunner.run(["separate", dir.file("missing.wav"), "--model", try Self.tinyModel(in: dir)])
        #expect(result.status == 1)
        #expect(result.stderr.contains("missing.wav: no such file"))
        // More shifts than the encoder stride (8) is refused before any input is read, naming the model.
        let tiny = try Self.tinyModel(in: dir)
        let tooMany = try CommandLineRunner.run(["separate", dir.file("missing.wav"), "--model", tiny, "--shifts", "9"])
        #expect(tooMany.status != 0 && tooMany.stderr.contains("--shifts 9: \(tiny) takes at most 8"), "\(tooMany.stderr)")
    }
}
