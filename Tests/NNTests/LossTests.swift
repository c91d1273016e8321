import Foundation
import NN
import Testing
import TensorCore
import TestSupport

@Suite("Losses")
struct LossTests {
    @Test func crossEntropyWithLabelSmoothingMatchesThePyTorchFormula() {
        let logits = Tensor([1, 2, 0.5, -1, 0, 3], shape: [2, 3])
        let targets = [1, 2], eps: Float = 0.1
        let loss = Losses.crossEntropy(logits: logits, targets: targets, labelSmoothing: eps).item
        var expected = 0.0
        for r in 0..<2 {
            let row = (0..<3).map { Double(logits.scalars[r * 3 + $0]) }
            let lse = Foundation.log(row.map(Foundation.exp).reduce(0, +))
            let nll = lse - row[targets[r]]
            let smooth = row.map { lse - $0 }.reduce(0, +) / 3
            expected += (1 - Double(eps)) * nll + Double(eps) * smooth
        }
        #expect(Swift.abs(Double(loss) - expected / 2) < 1e-5)
    }

    @Test func crossEntropyGradientMatchesCentralDifferences() {
        let logits = TensorAssertions.randomTensor([3, 5], seed: 1)
        let reports = GradientCheck.check([logits]) { x in Losses.crossEntropy(logits: x[0], targets: [0, 4, 2], labelSmoothing: 0.2) }
        #expect(reports[0].error < 1e-2, "\(reports[0])")
    }

    @Test func siSNRIsScaleInvariantAndCapsOnIdenticalSignals() {
        var rng = SplitMix64(seed: 2)
        let s = Tensor.randomNormal([1, 200], using: &rng)
        let noisy = s + Tensor.randomNormal([1, 200], standardDeviation: 0.1, using: &rng)
        let a = Losses.siSNR(estimate: noisy, target: s).item
        let b = Losses.siSNR(estimate: noisy * 7.5, target: s).item
        #expect(Swift.abs(a - b) < 1e-3)
        #expect(a > 15 && a < 25)
        #expect(Losses.siSNR(estimate: s, target: s).item > 60)
    }

    @Test(arguments: [2, 3])
    func pitRecoversThePermutation(_ sources: Int) {
        var rng = SplitMix64(seed: UInt64(sources))
        let targets = Tensor.randomNormal([2, sources, 160], using: &rng)
        // Batch item 0: reversed order; item 1: rotated by one.
        let order0 = Array((0..<sources).reversed()), order1 = (0..<sources).map { ($0 + 1) % sources }
        let rows0 = order0.map { targets.sliced(axis: 0, 0..<1).sliced(axis: 1, $0..<($0 + 1)) }
        let rows1 = order1.map { targets.sliced(axis: 0, 1..<2).sliced(axis: 1, $0..<($0 + 1)) }
        let estimates = Tensor.concatenated([Tensor.concatenated(rows0, axis: 1), Tensor.concatenated(rows1, axis: 1)], axis: 0) * 3
        let result = PermutationInvariantLoss.negativeSISNR(estimates: estimates, targets: targets)
        // permutations[b][j] = estimate for source j: estimate i holds source order[i].
        func inverse(_ p: [Int]) -> [Int] { var r = p; for (i, s) in p.enumerated() { r[s] = i }; return r }
        #expect(result.permutations == [inverse(order0), inverse(order1)])
        #expect(result.loss.item < -60)
    }

    @Test func pitLossGradientMatchesCentralDifferences() {
        let estimates = TensorAssertions.randomTensor([2, 2, 9], seed: 3)
        let targets = TensorAssertions.randomTensor([2, 2, 9], seed: 4, requiresGrad: false)
        let reports = GradientCheck.check([estimates], eps: 1e-3) { x in
            PermutationInvariantLoss.negativeSISNR(estimates: x[0], targets: targets).loss
        }
        #expect(reports[0].error < 2e-2, "\(reports[0])")
    }

    @Test func ntXentRewardsMatchingViews() {
        var rng = SplitMix64(seed: 5)
        let z = Tensor.randomNormal([4, 8], using: &rng)
        let aligned = Tensor.concatenated([z, z + Tensor.randomNormal([4, 8], standardDeviation: 0.01, using: &rng)], axis: 0)
        let shuffled = Tensor.concatenated([z, Tensor.randomNormal([4, 8], using: &rng)], axis: 0)
        #expect(Losses.ntXent(aligned, temperature: 0.1).item < Losses.ntXent(shuffled, temperature: 0.1).item)
        let reports = GradientCheck.check([TensorAssertions.randomTensor([4, 3], seed: 6)], eps: 1e-3) { x in Losses.ntXent(x[0], temperature: 0.5) }
        #expect(reports[0].error < 1e-2, "\(reports[0])")
    }

    @Test func meanSquaredError() {
        #expect(Losses.meanSquaredError(Tensor([1, 2], shape: [2]), Tensor([0, 4], shape: [2])).item == 2.5)
        #expect(Losses.meanSquaredError(Tensor([1, 2], shape: [2]), Tensor([0, 4], shape: [2]), reduction: .sum).item == 5)
    }

    @Test func simSiamPullsPredictionsToThePartnerView() {
        // Each prediction along its partner's projection (rows i and i + 2) gives -1 whatever the lengths;
        // along its own row's projection only (partners orthogonal) 0.
        let p = Tensor([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], shape: [4, 4])   // e0, e1 | e2, e3
        let partners = Tensor([0, 0, 3, 0, 0, 0, 0, 0.5, 2, 0, 0, 0, 0, 4, 0, 0], shape: [4, 4])   // 3 e2, 0.5 e3 | 2 e0, 4 e1
        #expect(abs(Losses.simSiam(predictions: partners, projections: p).item + 1) < 1e-6)
        #expect(abs(Losses.simSiam(predictions: p, projections: p).item) < 1e-6)
        // Half the pairs aligned, half orthogonal: -0.5.
        let mixed = Tensor([0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0], shape: [4, 4])   // e2, e0 | e0, e2
        #expect(abs(Losses.simSiam(predictions: mixed, projections: p).item + 0.5) < 1e-6)
        // The projections are a constant target: no gradient reaches them; the predictions' gradient is right.
        let h = TensorAssertions.randomTensor([4, 3], seed: 8), target = TensorAssertions.randomTensor([4, 3], seed: 9)
        Losses.simSiam(predictions: h, projections: target).backward()
        #expect(h.grad != nil && target.grad == nil)
        let reports = GradientCheck.check([TensorAssertions.randomTensor([4, 3], seed: 10)], eps: 1e-3) { x in
            Losses.simSiam(predictions: x[0], projections: target)
        }
        #expect(reports[0].error < 1e-2, "\(reports[0])")
    }
}
