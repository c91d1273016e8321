import Foundation
@testable import KeywordSpotting
import NN
import TensorCore
import Testing
import TestSupport

@Suite("Keyword spotter model")
struct KeywordSpottingTests {
    @Test func shapesAndSizes() throws {
        let config = KWSConfiguration.tiny()
        try config.validate()
        #expect(config.frontEnd.frameCount == 101)
        #expect(config.framesAfterConvolution == 26 && config.melsAfterConvolution == 10 && config.pooledFrames == 13)
        let model = KeywordClassifier(configuration: config, seed: 1)
        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let x = frontEnd.batch([noisyTone(440, seed: 1), noisyTone(880, seed: 2)])
        #expect(x.shape == [2, 101, 40])
        #expect(model.encoder(x).shape == [2, 12])
        #expect(model(x).shape == [2, 3])
        // The paper's sizes: about 3 M parameters with a 4x FFN (CAB-KWS.md).
        let paper = KeywordClassifier(configuration: .paper(labels: KWSConfiguration.twelveLabels), seed: 1)
        #expect(paper.configuration.modelDimension == 320)
        #expect(paper.parameterCount == 2_999_981)
        // 326,400 (conv1 + shortcut) + 2,662,400 (conv2 + shortcut) + 8,320 (pooling scores) + 2 x 16,082,560 + 512,000 + 9,600.
        #expect(paper.configuration.multiplyAccumulatesPerWindow == 35_683_840)
        #expect(KeywordClassifier(configuration: KWSConfiguration(labels: KWSConfiguration.twelveLabels), seed: 1).parameterCount == 501_645)
    }

    @Test func meanReadoutAveragesTheTokens() throws {
        var config = KWSConfiguration.tiny()
        config.readout = .meanTokens
        try config.validate()
        #expect(config.readoutWidth == 40 && KWSConfiguration.tiny().readoutWidth == 80)
        let model = KeywordClassifier(configuration: config, seed: 3)
        model.setTraining(false)
        #expect(model.encoder.bottleneck.weight.shape == [12, 40])
        // The bottleneck reads E = 40 values instead of r·E = 80: (80 − 40) x 12 fewer MACs per window.
        #expect(KWSConfiguration.tiny().multiplyAccumulatesPerWindow - config.multiplyAccumulatesPerWindow == 40 * 12)
        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let x = frontEnd.batch([noisyTone(440, seed: 1), noisyTone(880, seed: 2)])
        let (tokens, embedding) = model.encoder.encode(x, dropoutSeed: nil)
        #expect(tokens.shape == [2, 13, 40] && embedding.shape == [2, 12])
        let expected = model.encoder.bottleneck(tokens.mean(axis: 1))
        for (a, b) in zip(embedding.scalars, expected.scalars) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b))) }
        // The readout is saved, and a config.json without it (written before it existed) reads as last_frames.
        #expect(String(decoding: config.jsonData(), as: UTF8.self).contains("\"readout\" : \"mean\""))
        #expect(try KWSConfiguration.decode(config.jsonData(), path: "c") == config)
        var object = try JSONSerialization.jsonObject(with: KWSConfiguration.tiny().jsonData()) as! [String: Any]
        object.removeValue(forKey: "readout")
        let old = try JSONSerialization.data(withJSONObject: object)
        #expect(try KWSConfiguration.decode(old, path: "c").readout == .lastFrames)
        object["readout"] = "max"
        #expect(throws: KeywordSpottingError.self) { try KWSConfiguration.decode(JSONSerialization.data(withJSONObject: object), path: "c") }
    }

    @Test func softPoolingWithZeroScoresAveragesEachGroup() {
        var rng = SplitMix64(seed: 1)
        let pool = AttentionSoftPooling(features: 2, groupSize: 2, rng: &rng)
        pool.score.weight.assign([0, 0])
        // 5 frames: the first is dropped, then (2,3) and (4,5) are averaged.
        let x = Tensor([0, 0, 1, 10, 3, 30, 5, 50, 7, 70], shape: [1, 5, 2])
        #expect(pool(x).scalars == [2, 20, 6, 60])
    }

    @Test func saveThenLoadGivesIdenticalOutput() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let model = KeywordClassifier(configuration: KWSConfiguration.tiny(), seed: 5)
        try KeywordSpotter.save(model, to: dir.path)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["config.json", "model.safetensors"])
        let loaded = try KeywordSpotter(directory: dir.path)
        let original = try KeywordSpotter(model: model)
        let clips = [noisyTone(300, seed: 1), noisyTone(1200, seed: 2)]
        #expect(loaded.probabilities(clips) == original.probabilities(clips))
        let p = loaded.classify(clips[0])
        #expect(abs(p.probabilities.reduce(0, +) - 1) < 1e-5 && p.label == loaded.configuration.labels[p.index])
    }

    @Test func strictLoadingNamesTheProblem() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: KeywordSpottingError.modelDirectory(.noSuchDirectory(path: dir.file("none")))) { try KeywordSpotter(directory: dir.file("none")) }
        #expect(throws: KeywordSpottingError.modelDirectory(.missingFile(path: dir.file("config.json")))) { try KeywordSpotter(directory: dir.path) }
        try KeywordSpotter.save(KeywordClassifier(configuration: KWSConfiguration.tiny(), seed: 5), to: dir.path)
        // A configuration with another width: the weights no longer fit.
        var wider = KWSConfiguration.tiny()
        wider.bottleneckDimension = 13
        try wider.jsonData().write(to: URL(fileURLWithPath: dir.file("config.json")))
        let error = #expect(throws: KeywordSpottingError.self) { try KeywordSpotter(directory: dir.path) }
        #expect(error?.description.contains("Shape mismatch for 'classifier.weight': model expects [3, 13], checkpoint has [3, 12]") == true)
        try Data("{\"labels\": [\"a\"".utf8).write(to: URL(fileURLWithPath: dir.file("config.json")))
        #expect(throws: KeywordSpottingError.malformedConfiguration(path: dir.file("config.json"), reason: "not valid JSON")) {
            try KeywordSpotter(directory: dir.path)
        }
        try Data("{\"labels\": [\"a\", \"b\"]}".utf8).write(to: URL(fileURLWithPath: dir.file("config.json")))
        #expect(throws: KeywordSpottingError.malformedConfiguration(path: dir.file("config.json"), reason: "missing key 'model_type'")) {
            try KeywordSpotter(directory: dir.path)
        }
        try KWSConfiguration.tiny().jsonData().write(to: URL(fileURLWithPath: dir.file("config.json")))
        try SafeTensors.write(["x": Tensor([1], shape: [1])], to: URL(fileURLWithPath: dir.file("model.safetensors")))
        #expect(throws: KeywordSpottingError.self) { try KeywordSpotter(directory: dir.path) }
    }

    @Test func configurationRoundTripsAndRejectsImpossibleSizes() throws {
        let config = KWSConfiguration.tiny()
        let json = String(decoding: config.jsonData(), as: UTF8.self)
        #expect(json.contains("\"bottleneck_dim\" : 12") && json.contains("\"n_mels\" : 40") && json.contains("\"center\" : true"))
        #expect(try KWSConfiguration.decode(config.jsonData(), path: "c") == config)
        var bad = config
        bad.heads = 3
        #expect(throws: KeywordSpottingError.invalidConfiguration(field: "heads", value: "3", reason: "must divide the width 40")) { try bad.validate() }
        bad = config
        bad.lastFrames = 14
        #expect(throws: KeywordSpottingError.invalidConfiguration(field: "last_frames", value: "14", reason: "must be 1 to the 13 frames left after pooling")) {
            try bad.validate()
        }
        bad = config
        bad.labels = ["a", "a"]
        #expect(throws: KeywordSpottingError.self) { try bad.validate() }
        // A word vocabulary is a model too: 1,000 words with _unknown_ and _silence_ (once refused on loading).
        var vocabulary = config
        vocabulary.labels = (0..<1_000).map { "w\($0)" } + ["_unknown_", "_silence_"]
        try vocabulary.validate()
        vocabulary.labels = (0...KWSConfiguration.limits.labels).map { "w\($0)" }
        #expect(throws: KeywordSpottingError.self) { try vocabulary.validate() }
    }

    @Test func aFewStepsLearnToneClasses() throws {
        let config = KWSConfiguration.tiny()
        let model = KeywordClassifier(configuration: config, seed: 2)
        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let frequencies = [300.0, 1000.0, 3000.0]
        let clips = (0..<12).map { noisyTone(frequencies[$0 % 3], seed: UInt64($0)) }
        let targets = (0..<12).map { $0 % 3 }
        let x = frontEnd.batch(clips)
        let adam = Adam.adamW(parameters: model.namedParameters(), learningRate: 3e-3)
        var losses: [Float] = []
        for step in 0..<25 {
            let loss = Losses.crossEntropy(logits: model(x, dropoutSeed: UInt64(step)), targets: targets)
            losses.append(loss.item)
            loss.backward()
            adam.step()
            adam.zeroGrad()
        }
        #expect(losses.last! < losses.first! * 0.5, "loss \(losses.first!) -> \(losses.last!)")
        model.setTraining(false)
        let predicted = Autograd.withInferenceMode { model(frontEnd.batch((12..<18).map { noisyTone(frequencies[$0 % 3], seed: UInt64($0)) })) }.argmax(axis: -1)
        #expect(predicted == [0, 1, 2, 0, 1, 2])
    }

    @Test func loudestWindowFindsTheWord() {
        var samples = [Float](repeating: 0.001, count: 40_000)
        for i in 20_000..<26_000 { samples[i] = 0.5 }
        let window = KeywordSpotter.loudestWindow(of: samples, length: 16_000)
        #expect(window.count == 16_000 && window.filter { $0 == 0.5 }.count == 6_000)
        #expect(KeywordSpotter.loudestWindow(of: [1, 2], length: 4) == [1, 2, 0, 0])
    }
}

