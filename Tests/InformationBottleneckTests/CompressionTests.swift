import Foundation
@testable import InformationBottleneck
import KeywordSpotting
import NN
import AudioIO
import TensorCore
import Training
import Testing

/// Two layers of feed-forward width 16, 4 channels, bottleneck 12, three classes.
private func configuration() -> KWSConfiguration {
    KWSConfiguration(labels: ["yes", "no", "_unknown_", "_silence_"], convChannels: 4, normGroups: 2, layers: 2, heads: 2,
                     feedForwardDimension: 16, bottleneckDimension: 12, projectionHidden: 8, projectionDimension: 6, dropout: 0)
}

private func features(_ count: Int, seed: UInt64) -> Tensor {
    var rng = SplitMix64(seed: seed)
    return Tensor.randomNormal([count, 101, 40], using: &rng) * 3 + -8
}

@Suite("Structured compression")
struct CompressionTests {
    @Test func perLayerWidthsCountTheirMultiplyAddsAndOldConfigsKeepTheirs() throws {
        var c = configuration()
        let uniform = c.multiplyAccumulatesPerWindow
        // All heads of a layer: projections 4·t·E², scores and values 2·t²·E.
        let t = c.pooledFrames, e = c.modelDimension
        #expect(2 * c.attentionHeadMultiplyAccumulates == 4 * t * e * e + 2 * t * t * e)
        #expect(uniform == c.fixedMultiplyAccumulates + 2 * (2 * c.attentionHeadMultiplyAccumulates + 16 * c.feedForwardUnitMultiplyAccumulates)
            + 12 * c.bottleneckUnitMultiplyAccumulates)
        c.feedForwardDimensions = [16, 4]
        try c.validate()
        #expect(uniform - c.multiplyAccumulatesPerWindow == 12 * c.feedForwardUnitMultiplyAccumulates)
        let model = KeywordClassifier(configuration: c, seed: 1)
        #expect(model.stateDict()["encoder.transformer.1.linear1.weight"]?.shape.dims == [4, 40])
        let decoded = try KWSConfiguration.decode(c.jsonData(), path: "c.json")
        #expect(decoded == c)
        c.feedForwardDimensions = [16]
        #expect(throws: KeywordSpottingError.self) { try c.validate() }
        #expect(!String(decoding: configuration().jsonData(), as: UTF8.self).contains("ffn_dims"))
        // One head kept in layer 0: its projections are half as tall, and it costs one head less.
        c.feedForwardDimensions = nil
        c.attentionHeads = [1, 2]
        try c.validate()
        #expect(uniform - c.multiplyAccumulatesPerWindow == c.attentionHeadMultiplyAccumulates)
        let oneHead = KeywordClassifier(configuration: c, seed: 1).stateDict()
        #expect(oneHead["encoder.transformer.0.self_attn.in_proj_weight"]?.shape.dims == [3 * e / 2, e])
        #expect(oneHead["encoder.transformer.0.self_attn.out_proj.weight"]?.shape.dims == [e, e / 2])
        #expect(try KWSConfiguration.decode(c.jsonData(), path: "c.json") == c)
        for bad in [[1], [0, 2], [1, 3]] {
            c.attentionHeads = bad
            #expect(throws: KeywordSpottingError.self) { try c.validate() }
        }
        #expect(!String(decoding: configuration().jsonData(), as: UTF8.self).contains("attention_heads"))
    }

    @Test func thePrunedModelComputesWhatTheGatedOneDoesAtItsMeans() throws {
        let parent = KeywordClassifier(configuration: configuration(), seed: 3)
        parent.setTraining(false)
        var rng = SplitMix64(seed: 4)
        var selection = KWSUnitSelection(keepingAllOf: parent.configuration)
        selection.layers = [1]
        selection.heads[1] = [1]
        selection.feedForward[1] = [0, 3, 5, 9, 15]
        selection.bottleneck = [1, 2, 7, 11]
        // Gate means: random where kept, 0 where pruned (a pruned unit contributes nothing).
        func means(_ count: Int, kept: [Int]) -> [Float] { (0..<count).map { kept.contains($0) ? 0.5 + rng.nextUniform() : 0 } }
        let layerMeans = means(2, kept: selection.layers)
        let headMeans = [means(2, kept: []), means(2, kept: selection.heads[1])]
        let ffnMeans = [means(16, kept: []), means(16, kept: selection.feedForward[1])]
        let bottleneckMeans = means(12, kept: selection.bottleneck)
        let gated2 = GatedKeywordNetwork(network: parent)
        for (gates, values) in zip(gated2.gates, [layerMeans] + headMeans + ffnMeans + [bottleneckMeans]) {
            gates.mean.assign(values)
        }
        let pruned = try selection.prunedModel(parent: parent, layerScales: layerMeans, headScales: headMeans, feedForwardScales: ffnMeans,
                                               bottleneckScales: bottleneckMeans)
        pruned.setTraining(false)
        #expect(pruned.configuration.layers == 1 && pruned.configuration.feedForwardDimensions == [5] && pruned.configuration.bottleneckDimension == 4)
        #expect(pruned.configuration.attentionHeads == [1])
        let x = features(3, seed: 5)
        let expected = Autograd.withInferenceMode { gated2(x, dropoutSeed: nil, noiseSeed: nil) }.scalars
        let actual = Autograd.withInferenceMode { pruned(x) }.scalars
        #expect(zip(expected, actual).allSatisfy { abs($0 - $1) < 1e-4 }, "\(expected) vs \(actual)")
    }

    /// A long gate phase can turn every layer's gate off (the expected cost counts a layer by its keep probability):
    /// the selection still spends the budget, keeping the strongest layer and bringing dropped layers back while they fit.
    @Test func layersWhoseGatesAreOffComeBackWhileTheBudgetHoldsThem() throws {
        let c = configuration()
        let gated = GatedKeywordNetwork(network: KeywordClassifier(configuration: c, seed: 3))
        gated.layerGates.mean.assign([1, 1])
        gated.layerGates.logVariance.assign([4, 3])   // ln α = −4 and −3: both off, layer 1 the stronger
        #expect(try KWSCompressor.select(gated: gated, budget: 1).layers == [0, 1])
        let oneLayer = Double(c.multiplyAccumulatesPerWindow - 2 * c.attentionHeadMultiplyAccumulates - 16 * c.feedForwardUnitMultiplyAccumulates)
        let justOne = try KWSCompressor.select(gated: gated, budget: (oneLayer + 1) / Double(c.multiplyAccumulatesPerWindow))
        #expect(justOne.layers == [1], "\(justOne.layers)")
        for budget in [0.3, 0.6, 0.9] {
            let s = try KWSCompressor.select(gated: gated, budget: budget)
            #expect(Double(s.configuration(from: c).multiplyAccumulatesPerWindow) <= budget * Double(c.multiplyAccumulatesPerWindow))
        }
    }

    @Test func compressionMeetsTheBudgetAndKeepsAUsableModel() throws {
        let parent = KeywordClassifier(configuration: configuration(), seed: 6)
        let settings = CompressionSettings(budget: 0.5, steps: 6, batchSize: 4, clips: 8)
        let result = try KWSCompressor.compress(parent: parent, parentName: "parent", features: features(8, seed: 7), settings: settings)
        #expect(Double(result.multiplyAccumulates) <= 0.5 * Double(result.parentMultiplyAccumulates))
        #expect(result.model.configuration.compressedFrom == "parent" && result.model.configuration.compressionBudget == 0.5)
        #expect(result.model.parameterCount < parent.parameterCount)
        #expect((0...1).contains(result.agreement))
        #expect(throws: InformationBottleneckError.self) {
            try KWSCompressor.compress(parent: parent, parentName: "p", features: features(4, seed: 1), settings: CompressionSettings(budget: 0.01, steps: 2, batchSize: 2))
        }
        // A gate phase of 2 steps out of 6: pruned after step 2, four fine-tuning steps.
        var short = settings
        short.gateSteps = 2
        let job = try KWSCompression(parent: parent, parentName: "parent", features: features(8, seed: 7), settings: short)
        var phases: [String] = []
        _ = try job.run(stopSignal: StopSignal(signals: [])) { phase, _, _, _ in phases.append(phase) }
        #expect(phases == ["gates", "gates", "fine-tuning", "fine-tuning", "fine-tuning", "fine-tuning"])
        for bad in [0, 6] {
            short.gateSteps = bad
            #expect(throws: InformationBottleneckError.self) { try short.validate() }
        }
        // The distillation loss is 0 when the student is the teacher.
        let logits = Tensor([1, 2, 3, 0, -1, 4], shape: [2, 3])
        #expect(abs(KWSCompressor.distillationLoss(student: logits, teacher: logits, temperature: 2).item) < 1e-6)
    }
}

@Suite("Resumable keyword-spotter compression")
struct KWSCompressionRunTests {
    @Test func aStoppedRunResumesToTheUninterruptedRunsWeights() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kws-compress-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let parent = KeywordClassifier(configuration: configuration(), seed: 8)
        let x = features(8, seed: 9)
        let settings = CompressionSettings(budget: 0.5, steps: 6, batchSize: 4, clips: 8)
        var job = KWSCompressionJob(parent: "p", out: "o", data: ["d"], settings: settings)
        (job.checkpointEvery, job.logEvery) = (1, 1)
        let whole = try KWSCompression(parent: parent, parentName: "p", features: x, settings: settings)
        #expect(try whole.run(stopSignal: StopSignal(signals: [])) == .finished(step: 6))
        let expected = try whole.result()
        // In memory, the same steps give the same model as KWSCompressor.compress.
        let direct = try KWSCompressor.compress(parent: parent, parentName: "p", features: x, settings: settings)
        #expect(direct.model.stateDict().allSatisfy { expected.model.stateDict()[$0.key]?.scalars == $0.value.scalars })
        // Stopped after step 2 (gates) and after step 4 (fine-tuning), resumed each time from the folder.
        let folder = root + "/run"
        for (stopAt, resume) in [(2, false), (4, true), (nil, true)] as [(Int?, Bool)] {
            let part = try KWSCompression(parent: parent, parentName: "p", features: x, settings: settings, run: (folder, job), resume: resume)
            defer { part.release() }
            let stop = StopSignal(signals: [])
            let outcome = try part.run(stopSignal: stop) { _, done, _, _ in if done == stopAt { stop.request() } }
            guard let stopAt else {
                #expect(outcome == .finished(step: 6))
                let model = try part.result().model
                #expect(model.configuration == expected.model.configuration)
                for (key, t) in expected.model.stateDict() { #expect(model.stateDict()[key]?.scalars == t.scalars, "\(key)") }
                continue
            }
            #expect(outcome == .stopped(step: stopAt, signal: SIGINT))
        }
        #expect(try KWSCompressionJob.stored(runDirectory: folder) == job)
        #expect(try String(contentsOfFile: folder + "/log.csv", encoding: .utf8).split(separator: "\n").count == 7)
    }
}
