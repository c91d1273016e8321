import Foundation
@testable import KeywordSpotting
import Training
import NN
import TensorCore
import Testing
import TestSupport

@Suite("Variational information bottleneck")
struct VariationalBottleneckTests {
    private func vibConfiguration(beta: Float = 0.01) -> KWSConfiguration {
        var config = KWSConfiguration.tiny()
        config.vibBeta = beta
        return config
    }

    @Test func klMatchesTheClosedFormAndItsGradient() throws {
        let mu: [Float] = [0.5, -1, 0, 2, 0.3, -0.2], lv: [Float] = [0, -1, 0.5, -2, 1, 0.1]
        let mean = Tensor(mu, shape: [2, 3], requiresGrad: true), logVariance = Tensor(lv, shape: [2, 3], requiresGrad: true)
        let kl = KeywordClassifier.klDivergence(mean: mean, logVariance: logVariance)
        // ½ Σ (μ² + e^lv − 1 − lv), averaged over the 2 rows.
        var expected = 0.0
        for (m, l) in zip(mu, lv) {
            let mean = Double(m), logVar = Double(l)
            expected += 0.5 * (mean * mean + Foundation.exp(logVar) - 1 - logVar)
        }
        expected /= 2
        #expect(abs(Double(kl.item) - expected) < 1e-5)
        // KL(N(0,1) ‖ N(0,1)) = 0.
        #expect(KeywordClassifier.klDivergence(mean: Tensor.zeros([4, 5]), logVariance: Tensor.zeros([4, 5])).item == 0)
        kl.backward()
        // ∂/∂μ = μ / B, ∂/∂lv = (e^lv − 1) / 2B.
        for i in 0..<6 {
            #expect(abs(mean.grad!.scalars[i] - mu[i] / 2) < 1e-5)
            #expect(abs(logVariance.grad!.scalars[i] - (Foundation.exp(lv[i]) - 1) / 4) < 1e-5)
        }
    }

    @Test func withoutAVariationalBottleneckTrainingIsUnchanged() throws {
        let config = KWSConfiguration.tiny()
        #expect(config.vibBeta == nil)
        let model = KeywordClassifier(configuration: config, seed: 3)
        #expect(!model.stateDict().keys.contains { $0.contains("log_variance") })
        let x = try LogMelFrontEnd(config.frontEnd).batch([noisyTone(300, seed: 1), noisyTone(900, seed: 2)])
        let (logits, kl) = model.trainingOutputs(x, dropoutSeed: 11)
        #expect(kl == nil)
        #expect(logits.scalars == model(x, dropoutSeed: 11).scalars)
        // The other weights of a seed do not depend on the variational bottleneck.
        let vib = KeywordClassifier(configuration: vibConfiguration(), seed: 3)
        for (key, t) in model.encoder.stateDict() { #expect(vib.encoder.stateDict()[key]?.scalars == t.scalars, "\(key)") }
    }

    @Test func aVIBModelSamplesInTrainingAndUsesTheMeanAtInference() throws {
        let config = vibConfiguration()
        let model = KeywordClassifier(configuration: config, seed: 4)
        #expect(model.stateDict()["encoder.bottleneck_log_variance.weight"]?.shape.dims == [12, 80])
        let x = try LogMelFrontEnd(config.frontEnd).batch([noisyTone(300, seed: 1), noisyTone(900, seed: 2)])
        let (sampled, kl) = model.trainingOutputs(x, dropoutSeed: 5)
        let klValue = try #require(kl).item
        #expect(klValue > 0 && klValue.isFinite)
        #expect(sampled.scalars != model(x, dropoutSeed: 5).scalars)            // z = μ + σε, not μ
        #expect(model.trainingOutputs(x, dropoutSeed: 5).logits.scalars == sampled.scalars)   // seeded
        model.setTraining(false)
        let (inference, noKL) = model.trainingOutputs(x, dropoutSeed: 5)
        #expect(noKL == nil && inference.scalars == model(x).scalars)

        // The config records β; old configs (no key) load unchanged; a VIB model folder loads and classifies.
        let json = String(decoding: config.jsonData(), as: UTF8.self)
        #expect(json.contains("\"vib_beta\" : 0.01"))
        #expect(!String(decoding: KWSConfiguration.tiny().jsonData(), as: UTF8.self).contains("vib_beta"))
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try KeywordSpotter.save(model, to: dir.path)
        let loaded = try KeywordSpotter(directory: dir.path)
        #expect(loaded.configuration.vibBeta == 0.01)
        let clips = [noisyTone(300, seed: 1)]
        #expect(loaded.probabilities(clips) == (try KeywordSpotter(model: model)).probabilities(clips))
        var bad = config
        bad.vibBeta = -1
        #expect(throws: KeywordSpottingError.self) { try bad.validate() }

        // Fine-tuning across the two kinds: the missing log-variance keeps its initial values, an extra one is ignored.
        let plain = KeywordClassifier(configuration: KWSConfiguration.tiny(), seed: 9)
        let fresh = KeywordClassifier(configuration: config, seed: 1)
        try fresh.loadEncoder(from: plain.stateDict())
        #expect(fresh.encoder.bottleneck.weight.scalars == plain.encoder.bottleneck.weight.scalars)
        try plain.loadEncoder(from: model.stateDict())
        #expect(plain.encoder.bottleneck.weight.scalars == model.encoder.bottleneck.weight.scalars)
    }

    @Test func aFewVIBStepsStillLearnToneClasses() throws {
        let config = vibConfiguration(beta: 1e-3)
        let model = KeywordClassifier(configuration: config, seed: 2)
        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        let frequencies = [300.0, 1000.0, 3000.0]
        let x = frontEnd.batch((0..<12).map { noisyTone(frequencies[$0 % 3], seed: UInt64($0)) })
        let targets = (0..<12).map { $0 % 3 }
        let adam = Adam.adamW(parameters: model.namedParameters(), learningRate: 3e-3)
        var losses: [Float] = []
        for step in 0..<25 {
            let (logits, kl) = model.trainingOutputs(x, dropoutSeed: UInt64(step))
            let klTerm = try #require(kl)
            let loss = Losses.crossEntropy(logits: logits, targets: targets) + klTerm * config.vibBeta!
            losses.append(loss.item)
            loss.backward()
            adam.step()
            adam.zeroGrad()
        }
        #expect(losses.last! < losses.first! * 0.5, "loss \(losses.first!) -> \(losses.last!)")
    }
}
