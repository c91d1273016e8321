import Foundation
import InformationBottleneck
import KeywordSpotting
@testable import SepKWSCommands
import Testing
import TestSupport
import Training

@Suite("Information-bottleneck commands", .serialized)
struct InformationBottleneckCommandTests {
    @Test func aTinyRunGivesAPlaneWithAPointPerSnapshotAndLayer() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.file("kws"), run = dir.file("run")
        #expect(SepKWS.run(["synth", "kws", "--words", "yes,no,up,down,left,right,on,off,stop,go,cat", "--per-word", "8", "--out", data]) == 0)
        #expect(SepKWS.run(["train-kws", "--data", data, "--labels", "12", "--out", run, "--steps", "4", "--batch-size", "4",
                            "--validate-every", "4", "--snapshot-every", "2", "--log-every", "1"] + tinySizes) == 0)
        #expect(try WeightSnapshots.list(runDirectory: run).map(\.step) == [0, 2, 4])

        let plane = dir.file("plane.json"), svg = dir.file("plane.svg")
        #expect(SepKWS.run(["info-plane", "--run", run, "--data", data, "--clips", "40", "--out", plane, "--plot", svg, "--threads", "1"]) == 0)
        let report = try JSONDecoder().decode(InformationPlaneReport.self, from: Data(contentsOf: URL(fileURLWithPath: plane)))
        #expect(report.layers == ["conv1", "conv2", "transformer.0", "bottleneck"])
        #expect(report.snapshots.map(\.step) == [0, 2, 4])
        for snapshot in report.snapshots {
            #expect(snapshot.layers.count == report.layers.count)
            for point in snapshot.layers.values {
                #expect(point.inputInformation.isFinite && point.labelInformation.isFinite)
                #expect(point.labelInformation >= -1e-9 && point.labelInformation <= report.labelEntropy + 1e-6)
                // Y is a function of X, so binning gives I(T;Y) ≤ I(X;T) = H(T) ≤ ln N.
                #expect(point.labelInformation <= point.inputInformation + 1e-9)
                #expect(point.inputInformation <= report.maxInputInformation + 1e-9)
            }
        }
        let drawing = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(drawing.hasPrefix("<?xml") && drawing.contains("<polyline") && drawing.contains("transformer.0"))
        #expect(drawing.components(separatedBy: "<circle").count - 1 == 3 * 4)

        // Other estimators and layers; the mixed estimate may exceed H(Y) only by its noise.
        #expect(SepKWS.run(["info-plane", "--run", run, "--data", data, "--clips", "40", "--out", dir.file("kde.json"), "--estimator", "kde",
                            "--layers", "pool,logits", "--threads", "1"]) == 0)
        let kde = try JSONDecoder().decode(InformationPlaneReport.self, from: Data(contentsOf: URL(fileURLWithPath: dir.file("kde.json"))))
        #expect(kde.layers == ["pool", "logits"] && kde.noiseVariance == 0.1 && kde.bins == nil)
        for point in kde.snapshots.flatMap({ $0.layers.values }) { #expect(point.labelInformation <= kde.labelEntropy + 1e-6) }
        #expect(SepKWS.run(["info-plane", "--run", run, "--data", data, "--clips", "40", "--out", dir.file("m.json"), "--estimator", "mixed",
                            "--layers", "bottleneck", "--threads", "1"]) == 0)

        // Unknown layers and runs without snapshots fail with the list of what exists.
        #expect(SepKWS.run(["info-plane", "--run", run, "--data", data, "--out", dir.file("x.json"), "--layers", "conv9"]) == 1)
        #expect(SepKWS.run(["info-plane", "--run", dir.file("nothing"), "--data", data, "--out", dir.file("x.json")]) == 1)
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["info-plane", "--run", run, "--data", data, "--out", "x", "--bins", "1"]) }
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["info-plane", "--run", run, "--data", data, "--out", "x", "--estimator", "ksg"]) }
    }

    @Test func vibBetaZeroIsTheOldTrainingAndAVIBModelClassifies() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try makeTinySpeechCommands(in: dir)
        func train(_ name: String, _ extra: [String]) throws -> KeywordClassifier {
            #expect(SepKWS.run(["train-kws", "--data", data, "--labels", "12", "--out", dir.file(name), "--steps", "3", "--batch-size", "4",
                                "--validate-every", "3", "--log-every", "1"] + extra + tinySizes) == 0)
            return try KeywordSpotter.loadModel(directory: dir.file(name + "/model"))
        }
        let plain = try train("plain", []), zero = try train("zero", ["--vib-beta", "0"]), vib = try train("vib", ["--vib-beta", "0.01"])
        #expect(zero.configuration.vibBeta == nil && plain.stateDict().keys.sorted() == zero.stateDict().keys.sorted())
        for (key, t) in plain.stateDict() { #expect(zero.stateDict()[key]?.scalars == t.scalars, "\(key)") }
        #expect(vib.configuration.vibBeta == 0.01 && vib.stateDict()["encoder.bottleneck_log_variance.bias"] != nil)
        #expect(SepKWS.run(["classify", "--model", dir.file("vib/model"), data + "/yes/s0_nohash_0.wav"]) == 0)
        #expect(SepKWS.run(["train-kws", "--resume", dir.file("vib"), "--vib-beta", "1"]) == 2)
    }

    /// A tiny 12-class Speech Commands folder and a tiny untrained 12-class model in `dir`: their paths.
    static func tinyCorpusAndParent(in dir: TemporaryDirectory) throws -> (data: String, parent: String) {
        let data = try makeTinySpeechCommands(in: dir)
        var config = KWSConfiguration(labels: KWSConfiguration.twelveLabels, convChannels: 4, normGroups: 2, layers: 2, heads: 2,
                                      feedForwardDimension: 32, bottleneckDimension: 16)
        config.thresholds = nil
        let parent = dir.file("parent-model")
        try KeywordSpotter.save(KeywordClassifier(configuration: config, seed: 1), to: parent)
        return (data, parent)
    }

    @Test func compressHalvesATinyModelThatStillLoadsAndClassifies() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (data, parent) = try Self.tinyCorpusAndParent(in: dir)
        let out = dir.file("small")
        #expect(SepKWS.run(["compress", parent, "--out", out, "--budget", "0.5", "--data", data, "--steps", "6", "--batch-size", "4",
                            "--clips", "16", "--threads", "1"]) == 0)
        func macs(_ model: String) throws -> Double {
            let result = try CommandLineRunner.run(["inspect", model, "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            return try #require(object["macs_per_window"] as? Double)
        }
        #expect(try macs(out) <= 0.5 * macs(parent))
        let small = try KeywordSpotter.loadConfiguration(directory: out)
        #expect(small.compressedFrom == "parent-model" && small.compressionBudget == 0.5)
        #expect(SepKWS.run(["classify", "--model", out, data + "/yes/s0_nohash_0.wav"]) == 0)
        #expect(SepKWS.run(["eval-kws", "--model", out, "--data", data, "--threads", "1"]) == 0)
        #expect(throws: (any Error).self) { try SepKWS.parseAsRoot(["compress", parent, "--out", out, "--budget", "1.5", "--data", data]) }
        #expect(SepKWS.run(["compress", parent, "--out", dir.file("tiny"), "--budget", "0.01", "--data", data, "--steps", "2", "--clips", "4"]) == 1)
    }

    @Test func compressCanDistilOnFreshAugmentedWindowsDeterministically() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (data, parent) = try Self.tinyCorpusAndParent(in: dir)
        func compress(_ name: String, _ extra: [String]) throws -> [String: [Float]] {
            #expect(SepKWS.run(["compress", parent, "--out", dir.file(name), "--budget", "0.5", "--data", data, "--steps", "6",
                                "--batch-size", "4", "--clips", "16", "--threads", "1"] + extra) == 0)
            return try KeywordSpotter.loadModel(directory: dir.file(name)).stateDict().mapValues(\.scalars)
        }
        let windows = ["--augment", "--context", data + "/yes"]
        let first = try compress("a", windows), second = try compress("b", windows), clips = try compress("c", [])
        #expect(first == second)                       // fresh windows, drawn from (seed, step): the same run twice
        #expect(first.keys.contains { first[$0] != clips[$0] })   // and not the fixed clips
        let stored = try KWSCompressionJob.stored(runDirectory: dir.file("a.run"))
        #expect(stored.settings.windows == DistillationWindows(contextFolders: [data + "/yes"]))
        #expect(SepKWS.run(["compress", parent, "--out", dir.file("d"), "--budget", "0.5", "--data", data, "--context", data]) == 2)
    }

}
