import AudioDatasets
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
}
