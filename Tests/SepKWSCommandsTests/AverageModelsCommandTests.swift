import Foundation
import KeywordSpotting
@testable import SepKWSCommands
import TensorCore
import Testing
import TestSupport

/// `sepkws average-models`: the element-wise mean of models of one architecture (a model soup).
@Suite struct AverageModelsCommandTests {
    /// A tiny keyword model folder `name` (labels a, b, c) initialised with `seed`.
    static func keywordModel(_ name: String, seed: UInt64, labels: [String] = ["a", "b", "c"], in dir: TemporaryDirectory) throws -> String {
        try KeywordSpotter.save(KeywordClassifier(configuration: .tiny(labels: labels), seed: seed), to: dir.file(name),
                                metadata: ["dev_accuracy": "0.5"])
        return dir.file(name)
    }

    @Test func writesTheMeanOfEveryWeightAndDropsPerModelThresholds() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let members = try (1...3).map { try Self.keywordModel("m\($0)", seed: UInt64($0), in: dir) }
        try RobustnessTests.editConfig(members[1]) { $0["thresholds"] = ["a": 0.97, "b": 0.9] }
        let out = dir.file("soup")
        let run = try CommandLineRunner.run(["average-models"] + members + ["--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("mean of 3 models"))
        #expect(run.stdout.contains("thresholds not kept"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["config.json", "model.safetensors"])

        let weights = try members.map { try SafeTensors.read(contentsOf: URL(fileURLWithPath: $0 + "/model.safetensors")) }
        let soup = try SafeTensors.read(contentsOf: URL(fileURLWithPath: out + "/model.safetensors"))
        #expect(Set(soup.tensors.keys) == Set(weights[0].tensors.keys))
        for (key, tensor) in soup.tensors {
            #expect(tensor.shape == weights[0].tensors[key]!.shape)
            let expected = (0..<tensor.count).map { i in
                Float(weights.reduce(0.0) { $0 + Double($1.tensors[key]!.scalars[i]) } / 3)
            }
            #expect(tensor.scalars == expected, "\(key)")
        }
        #expect(soup.metadata["averaged_models"] == "3")
        #expect(soup.metadata["dev_accuracy"] == nil)
        #expect(soup.metadata["format"] == "sepkws-kws")

        // The average loads like any keyword model, with the members' configuration and no thresholds.
        let spotter = try KeywordSpotter(directory: out)
        #expect(spotter.configuration.labels == ["a", "b", "c"])
        #expect(spotter.configuration.thresholds == nil)
        let p = spotter.classify(noisyTone(440, seed: 3))
        #expect(p.score > 0 && p.score <= 1)

        // Averaging a model with itself gives it back.
        #expect(SepKWS.run(["average-models", members[0], members[0], "--out", dir.file("same")]) == 0)
        let same = try SafeTensors.read(contentsOf: URL(fileURLWithPath: dir.file("same") + "/model.safetensors"))
        for (key, tensor) in weights[0].tensors { #expect(same.tensors[key]!.scalars == tensor.scalars) }
    }

    @Test func refusesModelsThatDoNotAverageAndNeverOverwrites() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = try Self.keywordModel("a", seed: 1, in: dir)
        let b = try Self.keywordModel("b", seed: 2, in: dir)
        let other = try Self.keywordModel("ab", seed: 3, labels: ["a", "b"], in: dir)
        let separator = try SeparateCommandTests.tinyModel(in: dir)

        #expect(SepKWS.run(["average-models", a, "--out", dir.file("x")]) == 2)
        #expect(SepKWS.run(["average-models", a, b, "--out", a + "/"]) == 2)
        #expect(SepKWS.run(["average-models", a, b, "--out", dir.file("x"), "--dtype", "f8"]) == 2)

        let labels = try CommandLineRunner.run(["average-models", a, other, "--out", dir.file("x")])
        #expect(labels.status == 1)
        #expect(labels.stderr.contains("\(other)/config.json: weights do not fit the configuration: configuration differs from \(a)/config.json in labels"))
        let kinds = try CommandLineRunner.run(["average-models", a, separator, "--out", dir.file("x")])
        #expect(kinds.status == 1 && kinds.stderr.contains("\(separator)/config.json"))
        let missing = try CommandLineRunner.run(["average-models", a, dir.file("nothing"), "--out", dir.file("x")])
        #expect(missing.status == 1 && missing.stderr.contains("nothing: no such model folder"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("x")))

        // A non-finite weight is named, not averaged into every output.
        let broken = try Self.keywordModel("broken", seed: 4, in: dir)
        var file = try SafeTensors.read(contentsOf: URL(fileURLWithPath: broken + "/model.safetensors"))
        let key = file.tensors.keys.sorted()[0]
        var values = file.tensors[key]!.scalars
        values[1] = .nan
        file.tensors[key] = Tensor(values, shape: file.tensors[key]!.shape)
        try file.encoded().write(to: URL(fileURLWithPath: broken + "/model.safetensors"))
        let nan = try CommandLineRunner.run(["average-models", a, broken, "--out", dir.file("x")])
        #expect(nan.status == 1 && nan.stderr.contains("\(broken)/model.safetensors"), "\(nan.stderr)")
        #expect(nan.stderr.lowercased().contains("nan"), "\(nan.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("x")))

        try FileManager.default.createDirectory(atPath: dir.file("taken"), withIntermediateDirectories: true)
        let taken = try CommandLineRunner.run(["average-models", a, b, "--out", dir.file("taken")])
        #expect(taken.status == 1 && taken.stderr.contains("taken: already exists"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("taken")).isEmpty)
    }
}
