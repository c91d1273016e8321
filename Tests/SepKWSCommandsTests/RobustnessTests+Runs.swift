import AudioDatasets
import CorpusSynthesis
import Foundation
import Separation
@testable import SepKWSCommands
import TensorCore
import Testing
import TestSupport
import Training

/// Issue 32, continued: training runs that forget their settings on resume, and run folders that two processes share.
extension RobustnessTests {
    /// A tiny two-talker corpus and the tiny separator's config.json, for short train-sep runs.
    static func tinyTrainingSetup(in dir: TemporaryDirectory) throws -> (corpus: String, config: String) {
        let corpus = dir.file("mix")
        _ = try MixtureCorpusBuilder(sampleRate: 8_000, counts: [.train: 4, .dev: 1, .test: 1], outputDirectory: corpus, seed: 4,
                                     generator: { SplitMix64(seed: $0) }).build()
        let config = (try SeparateCommandTests.tinyModel(in: dir) as NSString).appendingPathComponent("config.json")
        return (corpus, config)
    }

    static func settings(of run: String) throws -> SeparationTrainingSettings {
        try JSONDecoder().decode(SeparationTrainingSettings.self, from: Data(try TrainingCheckpoint.readState(runDirectory: run).configuration.utf8))
    }

    static func loggedSteps(of run: String) throws -> [Int] {
        try String(contentsOfFile: run + "/log.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .compactMap { Int($0.split(separator: ",").first ?? "") }
    }

    // MARK: 5. Resume forgets its settings

    @Test func trainSepResumeKeepsItsIntervals() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (corpus, config) = try Self.tinyTrainingSetup(in: dir)
        let run = dir.file("run")
        let common = ["--batch-size", "1", "--crop-seconds", "0.25", "--validation-mixtures", "1", "--validation-seconds", "0.25", "--threads", "1"]
        let first = try CommandLineRunner.run(["train-sep", "--data", corpus, "--config", config, "--out", run, "--steps", "2",
                                               "--checkpoint-every", "2", "--log-every", "1", "--validate-every", "7"] + common)
        #expect(first.status == 0, "\(first.stderr)")
        let saved = try Self.settings(of: run)
        #expect(saved.checkpointEvery == 2 && saved.logEvery == 1 && saved.validateEvery == 7)

        // Resumed without the intervals: they are the run's, not the defaults (100, 20, 500).
        let second = try CommandLineRunner.run(["train-sep", "--resume", run, "--steps", "4", "--threads", "1"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Self.loggedSteps(of: run) == [1, 2, 3, 4])
        let resumed = try Self.settings(of: run)
        #expect(resumed.checkpointEvery == 2 && resumed.logEvery == 1 && resumed.validateEvery == 7)

        // Given again, they change (and stay changed).
        #expect(try CommandLineRunner.run(["train-sep", "--resume", run, "--steps", "5", "--log-every", "3", "--threads", "1"]).status == 0)
        #expect(try Self.settings(of: run).logEvery == 3 && Self.settings(of: run).checkpointEvery == 2)

        // A checkpoint from before the intervals were stored still resumes, with the defaults (100, 20, 500).
        let path = TrainingCheckpoint.path(in: run)
        var file = try SafeTensors.read(contentsOf: URL(fileURLWithPath: path))
        var object = try #require(try JSONSerialization.jsonObject(with: Data(file.metadata["configuration"]!.utf8)) as? [String: Any])
        for key in ["checkpointEvery", "logEvery", "validateEvery"] { object[key] = nil }
        file.metadata["configuration"] = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        try SafeTensors.write(file.tensors, metadata: file.metadata, to: URL(fileURLWithPath: path))
        #expect(try Self.settings(of: run).logEvery == nil)
        let old = try CommandLineRunner.run(["train-sep", "--resume", run, "--steps", "6", "--threads", "1"])
        #expect(old.status == 0, "\(old.stderr)")
        #expect(try Self.loggedSteps(of: run).last == 6)
    }

    // MARK: 6. Run folders are not locked

    /// This process holds the run's lock (as a trainer would); every trainer run on it by another process is refused.
    @Test func aRunInUseIsRefusedByEveryTrainer() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let run = dir.file("run")
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: run + "/.checkpoint.safetensors.4242.partial"))
        try RunLock.acquire(runDirectory: run)
        // Taking the lock removed the staging file a killed process had left.
        #expect(!FileManager.default.fileExists(atPath: run + "/.checkpoint.safetensors.4242.partial"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: run + "/.checkpoint.safetensors.4243.partial"))
        for command in ["train-sep", "train-kws", "pretrain"] {
            let result = try CommandLineRunner.run([command, "--resume", run])
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: \(run) is in use by process \(getpid())"), "\(command): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(command): \(result.stderr)")
        }
        // Refused processes touch nothing: another process's staging file may be in use.
        #expect(FileManager.default.fileExists(atPath: run + "/.checkpoint.safetensors.4243.partial"))
    }

    @Test func aResumeRemovesStagingFilesLeftByAKill() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (corpus, config) = try Self.tinyTrainingSetup(in: dir)
        let run = dir.file("run")
        let first = try CommandLineRunner.run(["train-sep", "--data", corpus, "--config", config, "--out", run, "--steps", "1",
                                               "--batch-size", "1", "--crop-seconds", "0.25", "--validation-mixtures", "1",
                                               "--validation-seconds", "0.25", "--threads", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        // What kill -9 in the middle of a checkpoint and of a model export leaves.
        try Data(repeating: 1, count: 100).write(to: URL(fileURLWithPath: run + "/.checkpoint.safetensors.99999.partial"))
        try FileManager.default.createDirectory(atPath: run + "/model.partial", withIntermediateDirectories: true)
        let second = try CommandLineRunner.run(["train-sep", "--resume", run, "--steps", "2", "--threads", "1"])
        #expect(second.status == 0, "\(second.stderr)")
        let names = try Self.contents(dir, "run")
        #expect(!names.contains { $0.contains("partial") }, "\(names)")
        #expect(names.isSuperset(of: ["checkpoint.safetensors", "log.csv", "model"]))
        #expect(!names.contains(RunLock.fileName))   // released when the run ended
    }
}
