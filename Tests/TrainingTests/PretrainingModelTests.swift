import Foundation
import KeywordSpotting
import NN
import TensorCore
import Testing
import TestSupport
import Training

/// `features [B, T, M]` with bands of 10 frames starting at `bands` set to `fill` in every window (as a time mask does).
private func hidingBands(_ features: Tensor, _ bands: [Int], fill: Float) -> Tensor {
    let (frames, bins) = (features.shape[1], features.shape[2])
    var values = features.scalars
    for b in 0..<features.shape[0] {
        for start in bands { for t in start..<(start + 10) { for m in 0..<bins { values[(b * frames + t) * bins + m] = fill } } }
    }
    return Tensor(values, shape: features.shape)
}

/// The label-free pretraining model (``KWSPretrainingModel``): its losses fall, its heads draw their weights last, and
/// its acoustic-unit codebook finds clusters.
@Suite struct PretrainingModelTests {
    @Test func pretrainingLossesAreFiniteAndFall() throws {
        let config = KWSConfiguration.tiny()
        let model = KWSPretrainingModel(configuration: config, seed: 3)
        #expect(model.stateDict().keys.contains("projection.2.weight") && model.stateDict().keys.contains("reconstruction.weight"))
        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let v1 = frontEnd.batch((0..<4).map { noisyTone(Double(300 + 500 * $0), seed: UInt64($0)) })
        let v2 = frontEnd.batch((0..<4).map { noisyTone(Double(300 + 500 * $0), seed: UInt64(10 + $0), amplitude: 0.2) })
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
        let config = KWSConfiguration.tiny()
        let plain = KWSPretrainingModel(configuration: config, seed: 3)
        let model = KWSPretrainingModel(configuration: config, seed: 3, frameDecoder: true)
        // The decoder draws last: every other weight is the plain model's.
        for (key, value) in plain.stateDict() { #expect(model.stateDict()[key]?.scalars == value.scalars, "\(key)") }
        let tokens = config.pooledFrames, perToken = model.encoder.framesPerToken
        #expect(model.stateDict()["frame_decoder.weight"]?.shape == [perToken * config.frontEnd.melCount, config.modelDimension])
        #expect(tokens * perToken >= config.frontEnd.frameCount)

        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let clean = frontEnd.batch((0..<4).map { noisyTone(Double(300 + 500 * $0), seed: UInt64($0)) })
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
        let config = KWSConfiguration.tiny()
        let plain = KWSPretrainingModel(configuration: config, seed: 3, frameDecoder: true)
        let model = KWSPretrainingModel(configuration: config, seed: 3, frameDecoder: true, units: 8)
        // The unit head draws last: every other weight is the plain model's; the codebook is a saved buffer.
        for (key, value) in plain.stateDict() { #expect(model.stateDict()[key]?.scalars == value.scalars, "\(key)") }
        let perToken = model.encoder.framesPerToken
        #expect(model.stateDict()["unit_decoder.weight"]?.shape == [perToken * 8, config.modelDimension])
        #expect(model.stateDict()["unit_codebook"]?.shape == [8, config.frontEnd.melCount])
        #expect(!model.namedParameters().contains { $0.name == "unit_codebook" })

        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let clean = frontEnd.batch((0..<4).map { noisyTone(Double(300 + 500 * $0), seed: UInt64($0)) })
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
        let config = KWSConfiguration.tiny()
        let plain = KWSPretrainingModel(configuration: config, seed: 3, frameDecoder: true)
        let model = KWSPretrainingModel(configuration: config, seed: 3, frameDecoder: true, siamese: true)
        // The SimSiam heads draw last: every other weight is the plain model's.
        for (key, value) in plain.stateDict() { #expect(model.stateDict()[key]?.scalars == value.scalars, "\(key)") }
        let p = config.projectionDimension
        #expect(model.stateDict()["siamese_projector.3.weight"]?.shape == [p, config.projectionHidden])
        #expect(model.stateDict()["predictor.0.weight"]?.shape == [p / 2, p] && model.stateDict()["predictor.3.weight"]?.shape == [p, p / 2])

        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let v1 = frontEnd.batch((0..<6).map { noisyTone(Double(300 + 400 * $0), seed: UInt64($0)) })
        let v2 = frontEnd.batch((0..<6).map { noisyTone(Double(300 + 400 * $0), seed: UInt64(10 + $0), amplitude: 0.2) })
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
}
