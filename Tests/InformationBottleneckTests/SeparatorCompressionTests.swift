import Foundation
@testable import InformationBottleneck
import NN
import Separation
import TensorCore
import Testing

/// Two blocks of D = 16, Q = 40 (32 rotary + 8 gated), F = 8, groups of 32 frames, 8 kHz.
private func configuration() -> MossFormer2Configuration {
    var c = MossFormer2Configuration()
    (c.encoderEmbeddingDim, c.mossformerSequenceDim, c.numMossformerLayer) = (16, 16, 2)
    (c.groupSize, c.queryKeyDim, c.fsmnInnerChannels, c.sampleRate) = (32, 40, 8, 8_000)
    return c
}

private func mixtures(_ count: Int, samples: Int, seed: UInt64) -> Tensor {
    var rng = SplitMix64(seed: seed)
    return Tensor.randomNormal([count, samples], using: &rng) * 0.1
}

@Suite("Separator compression")
struct SeparatorCompressionTests {
    @Test func gateInformationCostAndKeepProbabilitiesHaveTheirClosedForms() {
        let gates = StructuralGates(name: "g", units: 2)
        gates.mean.assign([1, 0.5])
        gates.logVariance.assign([-4, 0])
        // ½ ln(1 + μ²/σ²): ½ ln(1 + e⁴) + ½ ln(1.25).
        let cost = gates.informationCost()
        #expect(abs(cost.item - 2.120_650) < 1e-4)
        #expect(zip(gates.logAlpha, [4, -1.386_294]).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(gates.keepProbabilities().scalars, [0.982_014, 0.2]).allSatisfy { abs($0 - $1) < 1e-5 })
        // d/dμ = μ/(σ² + μ²), d/d ln σ² = −½ (μ²/σ²)/(1 + μ²/σ²).
        cost.backward()
        #expect(abs(gates.mean.grad!.scalars[1] - 0.4) < 1e-5 && abs(gates.logVariance.grad!.scalars[1] + 0.1) < 1e-5)
        // At the means the gates are μ; with noise, samples scatter around μ by σ.
        var none: SplitMix64?
        #expect(gates.values(batch: 3, noise: &none).scalars == [1, 0.5])
        var rng: SplitMix64? = SplitMix64(seed: 1)
        let samples = gates.values(batch: 4_000, noise: &rng).scalars
        let second = stride(from: 1, to: samples.count, by: 2).map { samples[$0] }
        let mean = second.reduce(0, +) / Float(second.count)
        let sd = (second.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(second.count)).squareRoot()
        #expect(abs(mean - 0.5) < 0.05 && abs(sd - 1) < 0.05)
        // Fixed means: only the noise is trained, ln α = −ln σ².
        let fixed = StructuralGates(name: "b", units: 3, learnsMean: false)
        #expect(fixed.namedParameters.map(\.0) == ["gates.b.log_variance"] && fixed.logAlpha == [4, 4, 4])
    }

    @Test func multiplyAddsCountPerBlockWidths() throws {
        // The shipped 8 kHz sizes: 999 frames per second, groups of 128 (1,024 padded frames).
        var c = MossFormer2Configuration()
        (c.encoderEmbeddingDim, c.mossformerSequenceDim, c.numMossformerLayer, c.groupSize) = (64, 64, 6, 128)
        (c.queryKeyDim, c.fsmnInnerChannels, c.sampleRate) = (64, 64, 8_000)
        #expect(c.multiplyAdds(samples: 8_000) == 904_189_056)
        let cost = MossFormer2BlockCost(configuration: c, frames: 999)
        #expect(cost == MossFormer2BlockCost(constant: 27_108_864, perHidden: 487_918, perQueryKey: 211_991, perPair: 3_996, perFSMNHidden: 127_872))
        #expect(c.headMultiplyAdds(samples: 8_000) == 39_896_064)
        // Two blocks, the second with E = 32, Q = 40, H = 16.
        c.numMossformerLayer = 2
        (c.attentionHiddenDims, c.queryKeyDims, c.fsmnHiddenDims) = ([128, 32], [64, 40], [64, 16])
        try c.validate()
        #expect(c.multiplyAdds(samples: 8_000) == 39_896_064 + 144_048_832 + 58_362_712)
        // Widths round-trip through config.json; a query/key width below the rotary 32 or a wrong count is refused.
        let decoded = try JSONDecoder().decode(MossFormer2Configuration.self, from: try JSONEncoder().encode(c))
        #expect(decoded == c)
        c.queryKeyDims = [64, 30]
        #expect(throws: SeparationError.self) { try c.validate() }
        c.queryKeyDims = [64]
        #expect(throws: SeparationError.self) { try c.validate() }
        #expect(!String(decoding: try JSONEncoder().encode(MossFormer2Configuration()), as: UTF8.self).contains("dims"))
    }

    @Test func expectedCostFollowsTheKeepProbabilities() throws {
        let c = configuration()
        let gated = GatedSeparator(network: try MossFormer2Separator(configuration: c, dropout: 0, seed: 1))
        for gates in gated.gates { gates.logVariance.assign([Float](repeating: -30, count: gates.count)) }
        #expect(abs(gated.expectedCostShare().item - 1) < 1e-4)
        gated.blockGates.logVariance.assign([30, 30])
        let head = c.headMultiplyAdds(samples: 8_000) / c.multiplyAdds(samples: 8_000)
        #expect(abs(Double(gated.expectedCostShare().item) - head) < 1e-4)
        #expect(gated.queryKeyGates.map(\.count) == [8, 8] && gated.hiddenGates.map(\.count) == [32, 32] && gated.fsmnHiddenGates.map(\.count) == [8, 8])
    }

    @Test func thePrunedModelComputesWhatTheGatedOneDoesAtItsMeans() throws {
        let c = configuration()
        let network = try MossFormer2Separator(configuration: c, dropout: 0, seed: 2)
        let gated = GatedSeparator(network: network)
        var rng = SplitMix64(seed: 3)
        var selection = SeparatorUnitSelection(keepingAllOf: c)
        selection.blocks = [1]
        selection.queryKey[1] = Array(0..<32) + [33, 36, 39]
        selection.fsmnHidden[1] = [0, 2, 5]
        // Gate means: random where kept, 0 where pruned; block 0's (fixed) mean set to 0 to drop it.
        func means(_ count: Int, kept: [Int]) -> [Float] { (0..<count).map { kept.contains($0) ? 0.5 + rng.nextUniform() : 0 } }
        gated.blockGates.mean.assign([0, 1])
        let query = (0..<2).map { i in means(8, kept: selection.queryKey[i].filter { $0 >= 32 }.map { $0 - 32 }) }
        let hidden = (0..<2).map { _ in means(32, kept: Array(0..<32)) }
        let fsmn = (0..<2).map { i in means(8, kept: selection.fsmnHidden[i]) }
        for i in 0..<2 {
            gated.queryKeyGates[i].mean.assign(query[i])
            gated.hiddenGates[i].mean.assign(hidden[i])
            gated.fsmnHiddenGates[i].mean.assign(fsmn[i])
        }
        let pruned = try selection.prunedModel(
            parent: network, queryKeyScales: query.map { [Float](repeating: 1, count: 32) + $0 }, hiddenScales: hidden,
            fsmnHiddenScales: fsmn)
        #expect(pruned.configuration.numMossformerLayer == 1 && pruned.configuration.queryKeyDims == [35]
            && pruned.configuration.fsmnHiddenDims == [3] && pruned.configuration.attentionHiddenDims == [32])
        #expect(pruned.parameterCount < network.parameterCount)
        let x = mixtures(2, samples: 800, seed: 4)
        let expected = Autograd.withInferenceMode { gated(x, noiseSeed: nil) }.scalars
        // The pruned model runs the fused inference path with its per-block widths, and the autograd path.
        let fused = Autograd.withInferenceMode { pruned(x) }.scalars
        pruned.setTraining(true)
        let graph = pruned(x).scalars
        let scale = expected.map(abs).max()!
        #expect(zip(expected, fused).allSatisfy { abs($0 - $1) < 1e-4 * scale }, "fused path differs")
        #expect(zip(expected, graph).allSatisfy { abs($0 - $1) < 1e-4 * scale }, "autograd path differs")
    }

    @Test func selectionSpendsTheBudgetWeakestUnitsFirst() throws {
        let c = configuration()
        let gated = GatedSeparator(network: try MossFormer2Separator(configuration: c, dropout: 0, seed: 5))
        var rng = SplitMix64(seed: 6)
        for gates in gated.gates where gates.learnsMean {
            gates.logVariance.assign((0..<gates.count).map { _ in -4 + 6 * rng.nextUniform() })
        }
        gated.fsmnHiddenGates[0].logVariance.assign([-4, 3, -4, -4, -4, -4, -4, -4])   // unit 1 is off (ln α = −3)
        let selection = try SeparatorCompression.select(gated: gated, budget: 0.5)
        let full = c.multiplyAdds(samples: 8_000)
        #expect(selection.multiplyAdds(parent: c) <= 0.5 * full)
        #expect(selection.multiplyAdds(parent: c) > 0.45 * full)   // refilled up to the budget
        // The unit whose gate is off is the first to go and the last to come back: kept only if all of its kind are.
        #expect(!selection.fsmnHidden[0].contains(1) || selection.fsmnHidden[0].count == 8 || !selection.blocks.contains(0))
        // A block whose gate is off goes first and comes back when the budget holds it; the strongest one stays.
        gated.blockGates.logVariance.assign([3, -4])
        #expect(try SeparatorCompression.select(gated: gated, budget: 1).blocks == [0, 1])
        #expect(try SeparatorCompression.select(gated: gated, budget: 0.3).blocks == [1])
        // A budget the pruning cannot reach keeps one block of minimal widths.
        #expect(selection.blocks.allSatisfy { selection.queryKey[$0].starts(with: 0..<32) })
        #expect(throws: InformationBottleneckError.self) { try SeparatorCompression.select(gated: gated, budget: 0.01) }
    }
}
