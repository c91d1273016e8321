import AudioDatasets
import CorpusSynthesis
import Foundation
import Separation
@testable import SepKWSCommands
import TensorCore
import Testing
import TestSupport
import Training

/// `sepkws train-sep` end to end on a tiny corpus: a run, its checkpoint exported as a model directory, and the
/// refusals of `--export`.
@Suite(.serialized) struct TrainSepCommandTests {
    @Test func exportWritesTheCheckpointsAveragedWeights() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let corpus = dir.file("mix")
        _ = try MixtureCorpusBuilder(sampleRate: 8_000, counts: [.train: 4, .dev: 1, .test: 1], outputDirectory: corpus, seed: 4,
                                     generator: { SplitMix64(seed: $0) }).build()
        let config = (try SeparateCommandTests.tinyModel(in: dir) as NSString).appendingPathComponent("config.json")
        let run = dir.file("run")
        let train = try CommandLineRunner.run([
            "train-sep", "--data", corpus, "--config", config, "--out", run, "--steps", "3", "--batch-size", "2",
            "--crop-seconds", "0.25", "--validate-every", "3", "--validation-mixtures", "1", "--validation-seconds", "0.5",
            "--average-decay", "0.5", "--threads", "1",
        ])
        #expect(train.status == 0, "\(train.stderr)")

        let export = dir.file("exported")
        let result = try CommandLineRunner.run(["train-sep", "--resume", run, "--export", export])
        #expect(result.status == 0 && result.stdout.contains("at step 3"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: export).sorted() == ["config.json", "model.safetensors"])
        // The run validated once, at its last step, so RUN/model holds the same weights: the average.
        let exported = try SafeTensors.read(contentsOf: URL(fileURLWithPath: export + "/model.safetensors")).tensors
        let best = try SafeTensors.read(contentsOf: URL(fileURLWithPath: run + "/model/model.safetensors")).tensors
        #expect(Set(exported.keys) == Set(best.keys))
        for (key, t) in best { #expect(exported[key]!.scalars == t.scalars, "\(key) differs from RUN/model's") }
        let raw = try TrainingCheckpoint.modelTensors(runDirectory: run)
        #expect(exported.contains { raw[$0.key]!.scalars != $0.value.scalars }, "the raw weights were exported, not the average")
        _ = try MossFormer2Separator(directory: export)

        // Refusals: no run to export, an existing folder, a folder without a checkpoint.
        let lone = try CommandLineRunner.run(["train-sep", "--export", dir.file("x")])
        #expect(lone.status == 2 && lone.stderr.contains("--export DIR needs --resume RUN"))
        let taken = try CommandLineRunner.run(["train-sep", "--resume", run, "--export", export])
        #expect(taken.status == 2 && taken.stderr.contains("already exists"))
        let empty = try CommandLineRunner.run(["train-sep", "--resume", corpus, "--export", dir.file("y")])
        #expect(empty.status == 1 && empty.stderr.contains("no checkpoint") && !FileManager.default.fileExists(atPath: dir.file("y")))
    }

    /// `--augment` and `--augmentation FILE` record the augmentation in the run's settings; a resume turns it off.
    @Test func augmentationIsRecordedInTheRunsSettings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let corpus = dir.file("mix")
        _ = try MixtureCorpusBuilder(sampleRate: 8_000, counts: [.train: 4, .dev: 1, .test: 1], outputDirectory: corpus, seed: 4,
                                     generator: { SplitMix64(seed: $0) }).build()
        let config = (try SeparateCommandTests.tinyModel(in: dir) as NSString).appendingPathComponent("config.json")
        let file = dir.file("augmentation.json")
        try Data(#"{"reverb_probability": 1, "rt60_max": 0.5, "mu_law_probability": 0}"#.utf8).write(to: URL(fileURLWithPath: file))
        func settings(_ run: String) throws -> SeparationTrainingSettings {
            try JSONDecoder().decode(SeparationTrainingSettings.self, from: Data(TrainingCheckpoint.readState(runDirectory: run).configuration.utf8))
        }
        let common = ["--data", corpus, "--config", config, "--steps", "1", "--batch-size", "1", "--crop-seconds", "0.25",
                      "--validate-every", "1", "--validation-mixtures", "1", "--validation-seconds", "0.25", "--threads", "1"]
        let custom = try CommandLineRunner.run(["train-sep", "--out", dir.file("custom"), "--augmentation", file] + common)
        #expect(custom.status == 0, "\(custom.stderr)")
        var expected = SourceAugmentationSettings()
        (expected.reverbProbability, expected.reverberationTimeMax, expected.muLawProbability) = (1, 0.5, 0)
        #expect(try settings(dir.file("custom")).augmentation == expected)
        let defaults = try CommandLineRunner.run(["train-sep", "--out", dir.file("defaults"), "--augment"] + common)
        #expect(defaults.status == 0, "\(defaults.stderr)")
        #expect(try settings(dir.file("defaults")).augmentation == SourceAugmentationSettings())
        let off = try CommandLineRunner.run(["train-sep", "--resume", dir.file("defaults"), "--steps", "2", "--no-augment", "--threads", "1"])
        #expect(off.status == 0, "\(off.stderr)")
        #expect(try settings(dir.file("defaults")).augmentation == nil)

        let contradiction = try CommandLineRunner.run(["train-sep", "--out", dir.file("x"), "--augmentation", file, "--no-augment"] + common)
        #expect(contradiction.status == 2 && contradiction.stderr.contains("drop --no-augment"))
        try Data(#"{"rt60_max": 5}"#.utf8).write(to: URL(fileURLWithPath: file))
        let bad = try CommandLineRunner.run(["train-sep", "--out", dir.file("y"), "--augmentation", file] + common)
        #expect(bad.status == 1 && bad.stderr.contains("rt60_min/rt60_max") && bad.stderr.contains("0.05-2.0"), "\(bad.stderr)")
    }
}
