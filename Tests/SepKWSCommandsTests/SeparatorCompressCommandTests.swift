import AudioDatasets
import AudioIO
import CorpusSynthesis
import Foundation
import InformationBottleneck
import Separation
@testable import SepKWSCommands
import TensorCore
import Testing
import TestSupport
import Training

/// `sepkws compress` on a tiny random separator: a model at half the multiply-adds that loads, separates and scores,
/// and a stopped run that resumes to the same weights as an uninterrupted one.
@Suite(.serialized) struct SeparatorCompressCommandTests {
    /// Two blocks of D = 16, Q = 40 (8 query/key channels beyond the rotary 32), F = 8.
    static func parent(in dir: TemporaryDirectory) throws -> String {
        var c = MossFormer2Configuration.tiny
        (c.numMossformerLayer, c.queryKeyDim) = (2, 40)
        let path = dir.file("tiny-parent")
        try MossFormer2Separator(configuration: c, seed: 3).write(directory: path)
        return path
    }

    static func corpus(in dir: TemporaryDirectory) throws -> String {
        let corpus = dir.file("mix")
        _ = try MixtureCorpusBuilder(sampleRate: 8_000, counts: [.train: 4, .dev: 1, .test: 2], outputDirectory: corpus, seed: 4,
                                     generator: { SplitMix64(seed: $0) }).build()
        return corpus
    }

    @Test func compressHalvesATinySeparatorThatStillLoadsAndSeparates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (parent, corpus, out) = (try Self.parent(in: dir), try Self.corpus(in: dir), dir.file("small"))
        let result = try CommandLineRunner.run(["compress", parent, "--out", out, "--budget", "0.5", "--data", corpus, "--steps", "4",
                                                "--batch-size", "2", "--crop-seconds", "0.25", "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("budget 0.500") && result.stdout.contains("wrote \(out)"))
        func summary(_ model: String) throws -> [String: Any] {
            let inspect = try CommandLineRunner.run(["inspect", model, "--json"])
            return try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        }
        let (big, small) = (try summary(parent), try summary(out))
        let (bigMACs, smallMACs) = (try #require(big["macs_per_second"] as? Double), try #require(small["macs_per_second"] as? Double))
        #expect(smallMACs <= 0.5 * bigMACs && smallMACs > 0.3 * bigMACs)
        #expect(small["parent"] as? String == "tiny-parent" && (small["parameters"] as! Int) < (big["parameters"] as! Int))
        let c = try MossFormer2Configuration(contentsOf: out + "/config.json")
        #expect(c.compressedFrom == "tiny-parent" && c.compressionBudget == 0.5 && c.attentionHiddenDims?.count == c.numMossformerLayer)
        #expect(c.multiplyAdds(samples: 8_000) == smallMACs)
        // Written through ModelDirectory: the separator's format and version, and the parent's name, in the weights.
        let weights = try SafeTensors.read(contentsOf: URL(fileURLWithPath: out + "/model.safetensors"))
        #expect(weights.metadata["format"] == "sepkws-mossformer2" && weights.metadata["format_version"] == "1"
            && weights.metadata["compressed_from"] == "tiny-parent")
        // The run folder: checkpoint and log.
        #expect(FileManager.default.fileExists(atPath: out + ".run/checkpoint.safetensors"))
        #expect(try String(contentsOfFile: out + ".run/log.csv", encoding: .utf8).hasPrefix("step,loss,si_snr_parent"))

        // The same commands load it: separate writes two talkers, eval-sep scores the test split.
        let mixture = try #require(try SeparationDataset.examples(root: corpus, split: "test").first).mixture
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: true)
        #expect(SepKWS.run(["separate", mixture, "--model", out, "--out-dir", dir.file("out"), "--threads", "1"]) == 0)
        let written = try FileManager.default.contentsOfDirectory(atPath: dir.file("out")).filter { $0.hasSuffix(".wav") }
        #expect(written.count == 2)
        let separated = try AudioFileReader.read(path: dir.file("out/" + written.sorted()[0]))
        #expect(separated.channels[0].contains { $0 != 0 })
        let eval = try CommandLineRunner.run(["eval-sep", "--model", out, "--data", corpus, "--no-sdr", "--threads", "1"])
        #expect(eval.status == 0 && eval.stdout.contains("SI-SNRi"), "\(eval.stderr)")

        // Refusals: an unreachable budget, a resume with a model, a second run into the same folder.
        #expect(SepKWS.run(["compress", parent, "--out", dir.file("tiny"), "--budget", "0.01", "--data", corpus, "--steps", "2",
                            "--crop-seconds", "0.25", "--threads", "1"]) == 1)
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["compress", parent, "--resume", out + ".run"]) }
        #expect(SepKWS.run(["compress", parent, "--out", out, "--budget", "0.5", "--data", corpus, "--steps", "2", "--crop-seconds", "0.25"]) == 1)
    }

    @Test func aStoppedRunResumesToTheUninterruptedRunsWeights() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (parent, corpus) = (try Self.parent(in: dir), try Self.corpus(in: dir))
        // With augmentation (compress --augment), which the checkpoint keeps.
        func settings(_ out: String, augment: Bool = true) -> SeparatorCompressionSettings {
            var s = SeparatorCompressionSettings(parent: parent, out: out, data: [corpus], budget: 0.5, steps: 6, gateSteps: 3)
            (s.cropSeconds, s.checkpointEvery, s.logEvery) = (0.25, 1, 1)
            s.augmentation = augment ? SourceAugmentationSettings() : nil
            return s
        }
        let whole = try SeparatorCompression(settings: settings(dir.file("a")), runDirectory: dir.file("a.run"), resume: false)
        #expect(try whole.run(stopSignal: StopSignal(signals: [])) == .finished(step: 6))
        whole.release()
        // Stopped after step 2 (gate phase) and again after step 4 (fine-tuning), then resumed to the end.
        for stopAt in [2, 4] {
            let resume = stopAt != 2
            let part = try SeparatorCompression(settings: settings(dir.file("b")), runDirectory: dir.file("b.run"), resume: resume)
            let stop = StopSignal(signals: [])
            #expect(try part.run(stopSignal: stop) { _, done, _, _ in if done == stopAt { stop.request() } } == .stopped(step: stopAt, signal: SIGINT))
            part.release()
        }
        let rest = try SeparatorCompression(settings: settings(dir.file("ignored")), runDirectory: dir.file("b.run"), resume: true)
        #expect(rest.step == 4 && rest.settings.out == dir.file("b") && rest.settings.augmentation == SourceAugmentationSettings())
        #expect(try rest.run(stopSignal: StopSignal(signals: [])) == .finished(step: 6))
        rest.release()
        let (a, b) = (try MossFormer2Separator(directory: dir.file("a")), try MossFormer2Separator(directory: dir.file("b")))
        #expect(a.configuration == b.configuration)
        for (key, t) in a.stateDict() { #expect(b.stateDict()[key]?.scalars == t.scalars, "\(key)") }
        let log = try String(contentsOfFile: dir.file("b.run/log.csv"), encoding: .utf8).split(separator: "\n")
        #expect(log.count == 7 && log.last!.hasPrefix("6,"))
        // The same run on clean crops trains other weights.
        let clean = try SeparatorCompression(settings: settings(dir.file("c"), augment: false), runDirectory: dir.file("c.run"), resume: false)
        #expect(try clean.run(stopSignal: StopSignal(signals: [])) == .finished(step: 6))
        clean.release()
        let c = try MossFormer2Separator(directory: dir.file("c"))
        #expect(a.stateDict().contains { c.stateDict()[$0.key]?.scalars != $0.value.scalars })
    }
}
