import Foundation
@testable import KeywordSpotting
import NN
import TensorCore
import Testing
import TestSupport

/// A tiny configuration: 4 channels (width 40), 1 layer, 2 heads.
func tinyConfiguration(labels: [String] = ["a", "b", "c"]) -> KWSConfiguration {
    KWSConfiguration(labels: labels, convChannels: 4, normGroups: 2, layers: 1, heads: 2, feedForwardDimension: 16,
                     bottleneckDimension: 12, projectionHidden: 8, projectionDimension: 6, dropout: 0.1)
}

/// 1 s of a tone at `frequency` Hz with some seeded noise.
func tone(_ frequency: Double, seed: UInt64, amplitude: Float = 0.3) -> [Float] {
    var rng = SplitMix64(seed: seed)
    let phase = Double(rng.nextUniform()) * 6
    return (0..<16_000).map { Float(sin(2 * Double.pi * frequency * Double($0) / 16_000 + phase)) * amplitude + 0.01 * rng.nextNormal() }
}

/// `features [B, T, M]` with bands of 10 frames starting at `bands` set to `fill` in every window (as a time mask does).
func hidingBands(_ features: Tensor, _ bands: [Int], fill: Float) -> Tensor {
    let (frames, bins) = (features.shape[1], features.shape[2])
    var values = features.scalars
    for b in 0..<features.shape[0] {
        for start in bands { for t in start..<(start + 10) { for m in 0..<bins { values[(b * frames + t) * bins + m] = fill } } }
    }
    return Tensor(values, shape: features.shape)
}

@Suite("Keyword spotter model")
struct KeywordSpottingTests {
    @Test func shapesAndSizes() throws {
        let config = tinyConfiguration()
        try config.validate()
        #expect(config.frontEnd.frameCount == 101)
        #expect(config.framesAfterConvolution == 26 && config.melsAfterConvolution == 10 && config.pooledFrames == 13)
        let model = KeywordClassifier(configuration: config, seed: 1)
        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let x = frontEnd.batch([tone(440, seed: 1), tone(880, seed: 2)])
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
        var config = tinyConfiguration()
        config.readout = .meanTokens
        try config.validate()
        #expect(config.readoutWidth == 40 && tinyConfiguration().readoutWidth == 80)
        let model = KeywordClassifier(configuration: config, seed: 3)
        model.setTraining(false)
        #expect(model.encoder.bottleneck.weight.shape == [12, 40])
        // The bottleneck reads E = 40 values instead of r·E = 80: (80 − 40) x 12 fewer MACs per window.
        #expect(tinyConfiguration().multiplyAccumulatesPerWindow - config.multiplyAccumulatesPerWindow == 40 * 12)
        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let x = frontEnd.batch([tone(440, seed: 1), tone(880, seed: 2)])
        let (tokens, embedding) = model.encoder.encode(x, dropoutSeed: nil)
        #expect(tokens.shape == [2, 13, 40] && embedding.shape == [2, 12])
        let expected = model.encoder.bottleneck(tokens.mean(axis: 1))
        for (a, b) in zip(embedding.scalars, expected.scalars) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b))) }
        // The readout is saved, and a config.json without it (written before it existed) reads as last_frames.
        #expect(String(decoding: config.jsonData(), as: UTF8.self).contains("\"readout\" : \"mean\""))
        #expect(try KWSConfiguration.decode(config.jsonData(), path: "c") == config)
        var object = try JSONSerialization.jsonObject(with: tinyConfiguration().jsonData()) as! [String: Any]
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
        let model = KeywordClassifier(configuration: tinyConfiguration(), seed: 5)
        try KeywordSpotter.save(model, to: dir.path)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["config.json", "model.safetensors"])
        let loaded = try KeywordSpotter(directory: dir.path)
        let original = try KeywordSpotter(model: model)
        let clips = [tone(300, seed: 1), tone(1200, seed: 2)]
        #expect(loaded.probabilities(clips) == original.probabilities(clips))
        let p = loaded.classify(clips[0])
        #expect(abs(p.probabilities.reduce(0, +) - 1) < 1e-5 && p.label == loaded.configuration.labels[p.index])
    }

    @Test func strictLoadingNamesTheProblem() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: KeywordSpottingError.modelDirectory(.noSuchDirectory(path: dir.file("none")))) { try KeywordSpotter(directory: dir.file("none")) }
        #expect(throws: KeywordSpottingError.modelDirectory(.missingFile(path: dir.file("config.json")))) { try KeywordSpotter(directory: dir.path) }
        try KeywordSpotter.save(KeywordClassifier(configuration: tinyConfiguration(), seed: 5), to: dir.path)
        // A configuration with another width: the weights no longer fit.
        var wider = tinyConfiguration()
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
        try tinyConfiguration().jsonData().write(to: URL(fileURLWithPath: dir.file("config.json")))
        try SafeTensors.write(["x": Tensor([1], shape: [1])], to: URL(fileURLWithPath: dir.file("model.safetensors")))
        #expect(throws: KeywordSpottingError.self) { try KeywordSpotter(directory: dir.path) }
    }

    @Test func configurationRoundTripsAndRejectsImpossibleSizes() throws {
        let config = tinyConfiguration()
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
    }

    @Test func aFewStepsLearnToneClasses() throws {
        let config = tinyConfiguration()
        let model = KeywordClassifier(configuration: config, seed: 2)
        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let frequencies = [300.0, 1000.0, 3000.0]
        let clips = (0..<12).map { tone(frequencies[$0 % 3], seed: UInt64($0)) }
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
        let predicted = Autograd.withInferenceMode { model(frontEnd.batch((12..<18).map { tone(frequencies[$0 % 3], seed: UInt64($0)) })) }.argmax(axis: -1)
        #expect(predicted == [0, 1, 2, 0, 1, 2])
    }

    @Test func pretrainingLossesAreFiniteAndFall() throws {
        let config = tinyConfiguration()
        let model = KWSPretrainingModel(configuration: config, seed: 3)
        #expect(model.stateDict().keys.contains("projection.2.weight") && model.stateDict().keys.contains("reconstruction.weight"))
        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let v1 = frontEnd.batch((0..<4).map { tone(Double(300 + 500 * $0), seed: UInt64($0)) })
        let v2 = frontEnd.batch((0..<4).map { tone(Double(300 + 500 * $0), seed: UInt64(10 + $0), amplitude: 0.2) })
        let adam = Adam.adamW(parameters: model.namedParameters(), learningRate: 2e-3)
        var totals: [Float] = []
        for step in 0..<15 {
            let parts = model.losses(view1: v1, view2: v2, weights: PretrainingLossWeights(), dropoutSeed: UInt64(step))
            #expect(parts.invariance.isFinite && parts.reconstruction.isFinite && parts.contrastive.isFinite)
            totals.append(parts.total.item)
            parts.total.backward()
            adam.step()
            adam.zeroGrad()
        }
        #expect(totals.last! < totals.first!, "pretraining loss \(totals.first!) -> \(totals.last!)")
        // Its encoder initializes a classifier (strictly: every encoder key).
        let classifier = KeywordClassifier(configuration: config, seed: 9)
        try classifier.loadEncoder(from: model.stateDict())
        #expect(classifier.encoder.bottleneck.weight.scalars == model.encoder.bottleneck.weight.scalars)
        #expect(throws: CheckpointError.self) { try classifier.loadEncoder(from: ["encoder.norm.weight": Tensor.ones([40])]) }
    }

    @Test func maskedFrameReconstructionLearnsTheHiddenFrames() throws {
        let config = tinyConfiguration()
        let plain = KWSPretrainingModel(configuration: config, seed: 3)
        let model = KWSPretrainingModel(configuration: config, seed: 3, frameDecoder: true)
        // The decoder draws last: every other weight is the plain model's.
        for (key, value) in plain.stateDict() { #expect(model.stateDict()[key]?.scalars == value.scalars, "\(key)") }
        let tokens = config.pooledFrames, perToken = model.encoder.framesPerToken
        #expect(model.stateDict()["frame_decoder.weight"]?.shape == [perToken * config.frontEnd.melCount, config.modelDimension])
        #expect(tokens * perToken >= config.frontEnd.frameCount)

        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let clean = frontEnd.batch((0..<4).map { tone(Double(300 + 500 * $0), seed: UInt64($0)) })
        // Each view hides two bands of 10 frames (set to the input mean), at different places.
        let (masked1, masked2) = (hidingBands(clean, [10, 50], fill: config.inputMean), hidingBands(clean, [30, 70], fill: config.inputMean))
        let unmasked = Tensor.concatenated([clean, clean], axis: 0)
        let weights = PretrainingLossWeights(invariance: 0, reconstruction: 0, contrastive: 0, maskedFrames: 1)
        let adam = Adam.adamW(parameters: model.namedParameters(), learningRate: 3e-3)
        var losses: [Float] = []
        for step in 0..<25 {
            let parts = model.losses(view1: masked1, view2: masked2, unmasked: unmasked, weights: weights, dropoutSeed: UInt64(step))
            #expect(parts.total.item == parts.maskedFrames)
            losses.append(parts.maskedFrames)
            parts.total.backward()
            adam.step()
            adam.zeroGrad()
        }
        #expect(losses.allSatisfy(\.isFinite) && losses.last! < losses.first! * 0.5, "masked-frame loss \(losses.first!) -> \(losses.last!)")
        // Off (weight 0 or no decoder): the part is 0 and the total is the other losses'.
        let off = plain.losses(view1: masked1, view2: masked2, unmasked: unmasked, weights: PretrainingLossWeights(), dropoutSeed: 1)
        #expect(off.maskedFrames == 0)
    }

    @Test func codebookFindsSeparatedClusters() {
        // 600 points around three centres in 4-d (uniform jitter of at most 0.1 per axis).
        let centres: [[Float]] = [[0, 0, 0, 0], [3, -1, 2, 0], [-2, 4, 0, 1]]
        var rng = SplitMix64(seed: 5)
        var values: [Float] = [], truth: [Int] = []
        for i in 0..<600 {
            truth.append(i % 3)
            for v in centres[i % 3] { values.append(v + (Float(rng.next() % 2001) / 1000 - 1) * 0.1) }
        }
        let codebook = AcousticUnitCodebook.fit(frames: Tensor(values, shape: [600, 4]), count: 3, seed: 1)
        #expect(codebook.count == 3 && codebook.dimension == 4)
        // Every centre is found to within the jitter, and each point goes to its own centre's unit.
        let units = codebook.assign(Tensor(values, shape: [600, 4]))
        let unitOfCentre = codebook.assign(Tensor(centres.flatMap { $0 }, shape: [3, 4]))
        #expect(Set(unitOfCentre).count == 3)
        #expect(zip(units, truth).allSatisfy { $0.0 == unitOfCentre[$0.1] })
        let found = codebook.centroids.scalars
        for (c, centre) in centres.enumerated() {
            for d in 0..<4 { #expect(abs(found[unitOfCentre[c] * 4 + d] - centre[d]) < 0.02, "centre \(c) axis \(d)") }
        }
        // The same seed gives the same codebook.
        #expect(AcousticUnitCodebook.fit(frames: Tensor(values, shape: [600, 4]), count: 3, seed: 1).centroids.scalars == found)
    }

    @Test func maskedUnitPredictionLearnsTheHiddenUnits() throws {
        let config = tinyConfiguration()
        let plain = KWSPretrainingModel(configuration: config, seed: 3, frameDecoder: true)
        let model = KWSPretrainingModel(configuration: config, seed: 3, frameDecoder: true, units: 8)
        // The unit head draws last: every other weight is the plain model's; the codebook is a saved buffer.
        for (key, value) in plain.stateDict() { #expect(model.stateDict()[key]?.scalars == value.scalars, "\(key)") }
        let perToken = model.encoder.framesPerToken
        #expect(model.stateDict()["unit_decoder.weight"]?.shape == [perToken * 8, config.modelDimension])
        #expect(model.stateDict()["unit_codebook"]?.shape == [8, config.frontEnd.melCount])
        #expect(!model.namedParameters().contains { $0.name == "unit_codebook" })

        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let clean = frontEnd.batch((0..<4).map { tone(Double(300 + 500 * $0), seed: UInt64($0)) })
        let frames = model.encoder.normalized(clean).reshaped([4 * config.frontEnd.frameCount, config.frontEnd.melCount])
        model.setCodebook(AcousticUnitCodebook.fit(frames: frames, count: 8, seed: 2))
        // A checkpoint round trip restores the codebook.
        let copy = KWSPretrainingModel(configuration: config, seed: 4, frameDecoder: true, units: 8)
        try copy.load(model.stateDict())
        #expect(copy.codebook?.centroids.scalars == model.codebook?.centroids.scalars)

        let (masked1, masked2) = (hidingBands(clean, [10, 50], fill: config.inputMean), hidingBands(clean, [30, 70], fill: config.inputMean))
        let unmasked = Tensor.concatenated([clean, clean], axis: 0)
        let weights = PretrainingLossWeights(invariance: 0, reconstruction: 0, contrastive: 0, maskedUnits: 1)
        let adam = Adam.adamW(parameters: model.namedParameters(), learningRate: 3e-3)
        var losses: [Float] = []
        for step in 0..<25 {
            let parts = model.losses(view1: masked1, view2: masked2, unmasked: unmasked, weights: weights, dropoutSeed: UInt64(step))
            #expect(parts.total.item == parts.maskedUnits && parts.maskedFrames == 0 && parts.visibleUnits > 0)
            losses.append(parts.maskedUnits)
            parts.total.backward()
            adam.step()
            adam.zeroGrad()
        }
        // Cross-entropy over 8 units starts near ln 8 = 2.08 and falls well below it.
        #expect(abs(losses.first! - log(8)) < 1, "first masked-unit loss \(losses.first!)")
        #expect(losses.allSatisfy(\.isFinite) && losses.last! < losses.first! * 0.5, "masked-unit loss \(losses.first!) -> \(losses.last!)")
        // The visible frames' part alone, by its own weight; with nothing hidden, the hidden part is 0.
        let visible = model.losses(view1: masked1, view2: masked2, unmasked: unmasked, weights: PretrainingLossWeights(
            invariance: 0, reconstruction: 0, contrastive: 0, visibleUnits: 1), dropoutSeed: 1)
        #expect(visible.total.item == visible.visibleUnits && visible.maskedUnits > 0)
        let nothingHidden = model.losses(view1: clean, view2: clean, unmasked: unmasked, weights: weights, dropoutSeed: 1)
        #expect(nothingHidden.maskedUnits == 0 && nothingHidden.total.item == 0 && nothingHidden.visibleUnits > 0)
    }

    @Test func simSiamPullsTheViewsTogetherWithoutCollapse() throws {
        let config = tinyConfiguration()
        let plain = KWSPretrainingModel(configuration: config, seed: 3, frameDecoder: true)
        let model = KWSPretrainingModel(configuration: config, seed: 3, frameDecoder: true, siamese: true)
        // The SimSiam heads draw last: every other weight is the plain model's.
        for (key, value) in plain.stateDict() { #expect(model.stateDict()[key]?.scalars == value.scalars, "\(key)") }
        let p = config.projectionDimension
        #expect(model.stateDict()["siamese_projector.3.weight"]?.shape == [p, config.projectionHidden])
        #expect(model.stateDict()["predictor.0.weight"]?.shape == [p / 2, p] && model.stateDict()["predictor.3.weight"]?.shape == [p, p / 2])

        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let v1 = frontEnd.batch((0..<6).map { tone(Double(300 + 400 * $0), seed: UInt64($0)) })
        let v2 = frontEnd.batch((0..<6).map { tone(Double(300 + 400 * $0), seed: UInt64(10 + $0), amplitude: 0.2) })
        let weights = PretrainingLossWeights(invariance: 0, reconstruction: 0, contrastive: 0, siamese: 1)
        let adam = Adam.adamW(parameters: model.namedParameters(), learningRate: 2e-3)
        var losses: [Float] = [], spreads: [Float] = []
        for step in 0..<40 {
            let parts = model.losses(view1: v1, view2: v2, weights: weights, dropoutSeed: UInt64(step))
            #expect(parts.total.item == parts.siamese && parts.maskedFrames == 0)
            losses.append(parts.siamese)
            spreads.append(parts.embeddingSpread)
            parts.total.backward()
            adam.step()
            adam.zeroGrad()
        }
        // Negative cosine: starts near 0 (random heads), falls toward -1; the embeddings keep their spread.
        #expect(losses.allSatisfy { $0 >= -1 && $0 <= 1 })
        #expect(losses.last! < losses.first! - 0.3, "SimSiam loss \(losses)")
        let ceiling = 1 / Float(config.bottleneckDimension).squareRoot()
        #expect(spreads.allSatisfy { $0 > 0.2 * ceiling && $0 <= ceiling + 1e-5 }, "spreads \(spreads), ceiling \(ceiling)")
        // Off (weight 0 or no predictor): both parts are 0.
        let off = plain.losses(view1: v1, view2: v2, weights: weights, dropoutSeed: 1)
        #expect(off.siamese == 0 && off.embeddingSpread == 0 && off.total.item == 0)
    }

    @Test func loudestWindowFindsTheWord() {
        var samples = [Float](repeating: 0.001, count: 40_000)
        for i in 20_000..<26_000 { samples[i] = 0.5 }
        let window = KeywordSpotter.loudestWindow(of: samples, length: 16_000)
        #expect(window.count == 16_000 && window.filter { $0 == 0.5 }.count == 6_000)
        #expect(KeywordSpotter.loudestWindow(of: [1, 2], length: 4) == [1, 2, 0, 0])
    }
}

