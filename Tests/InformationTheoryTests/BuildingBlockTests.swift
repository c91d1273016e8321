import Foundation
@testable import InformationTheory
import Testing
import TensorCore

/// The pieces under the estimators: digamma, normal quantiles, max-norm neighbour search, PCA, and the errors.
@Suite struct BuildingBlockTests {
    @Test func digammaMatchesKnownValues() {
        let eulerGamma = 0.577_215_664_901_532_9
        #expect(abs(Digamma.value(1) + eulerGamma) < 1e-13)
        #expect(abs(Digamma.value(0.5) - (-eulerGamma - 2 * log(2.0))) < 1e-13)
        #expect(abs(Digamma.value(10) - (-eulerGamma + (1...9).reduce(0.0) { $0 + 1 / Double($1) })) < 1e-13)
        let table = Digamma.integerTable(upTo: 50)
        for m in [1, 2, 7, 50] { #expect(abs(table[m] - Digamma.value(Double(m))) < 1e-12) }
    }

    @Test func inverseNormalCDFInvertsErfc() {
        for p in [1e-6, 0.001, 0.02425, 0.3, 0.5, 0.77, 0.999] {
            let x = MarginalTransform.inverseNormalCDF(p)
            #expect(abs(0.5 * erfc(-x / 2.0.squareRoot()) - p) < 1e-12 * max(1, p / 1e-3), "p \(p)")
        }
    }

    @Test func normalScoresShareTiedRanks() {
        let matrix = SampleMatrix(rows: 4, columns: 1, values: [3.0, 1, 3, 2])
        let scores = MarginalTransform.normalScores.applied(to: matrix).values
        #expect(scores[0] == scores[2] && scores[1] < scores[3] && scores[3] < scores[0])
        #expect(abs(scores[3] - MarginalTransform.inverseNormalCDF(0.4)) < 1e-12)
    }

    @Test(arguments: [1, 2, 5])
    func neighbourSearchMatchesBruteForce(dimension: Int) {
        var rng = SplitMix64(seed: UInt64(dimension))
        let n = 300
        // Rounded values make ties, the hard part of strict and inclusive counting.
        let values = (0..<n * dimension).map { _ in (SyntheticData.normal(&rng) * 4).rounded() / 4 }
        let points = SampleMatrix(rows: n, columns: dimension, values: values)
        func distance(_ i: Int, _ j: Int) -> Double {
            (0..<dimension).map { abs(points[i, $0] - points[j, $0]) }.max()!
        }
        let search = ChebyshevNeighborSearch(points)
        for k in [1, 3, 10] {
            let kth = search.kthNeighborDistances(k: k, workers: 2)
            for i in stride(from: 0, to: n, by: 7) {
                let sorted = (0..<n).filter { $0 != i }.map { distance(i, $0) }.sorted()
                #expect(kth[i] == sorted[k - 1], "k \(k) row \(i)")
            }
        }
        let radii = (0..<n).map { Double($0 % 5) / 4 }
        let strict = search.counts(within: radii, inclusive: false, workers: 2)
        let inclusive = search.counts(within: radii, inclusive: true, workers: 1)
        for i in 0..<n {
            let others = (0..<n).filter { $0 != i }.map { distance(i, $0) }
            #expect(strict[i] == others.filter { $0 < radii[i] }.count)
            #expect(inclusive[i] == others.filter { $0 <= radii[i] }.count)
        }
    }

    @Test func principalComponentsFindTheSpreadAxes() throws {
        var rng = SplitMix64(seed: 5)
        // Variances 9, 1, 0.09 along the axes of a random rotation.
        let rotation = SyntheticData.randomOrthogonal(3, &rng)
        var values = [Double]()
        for _ in 0..<4000 {
            let raw = [3 * SyntheticData.normal(&rng), SyntheticData.normal(&rng), 0.3 * SyntheticData.normal(&rng)]
            for r in 0..<3 { values.append((0..<3).reduce(0) { $0 + rotation[r * 3 + $1] * raw[$1] }) }
        }
        let pca = try PrincipalComponents(SampleMatrix(rows: 4000, columns: 3, values: values))
        #expect(abs(pca.variances[0] / 9 - 1) < 0.06 && abs(pca.variances[1] - 1) < 0.06 && abs(pca.variances[2] / 0.09 - 1) < 0.06)
        // The first axis is the rotation's first column (up to sign).
        let dot = (0..<3).reduce(0.0) { $0 + pca.axes[$1] * rotation[$1 * 3] }
        #expect(abs(abs(dot) - 1) < 1e-3)
        #expect(pca.componentCount(keeping: 0.95, cap: 3) == 2)
        #expect(pca.componentCount(keeping: 0.999, cap: 3) == 3)
        #expect(pca.componentCount(keeping: 0.999, cap: 1) == 1)
    }

    @Test func badInputsThrowTypedErrors() {
        let x = SampleMatrix(rows: 4, columns: 1, values: [1.0, 2, 3, 4])
        let short = SampleMatrix(rows: 3, columns: 1, values: [1.0, 2, 3])
        #expect(throws: InformationTheoryError.sampleCountMismatch(x: 4, y: 3)) {
            try MutualInformation.estimate(x: .continuous(x), y: .continuous(short))
        }
        #expect(throws: InformationTheoryError.tooFewSamples(variable: .x, count: 4, required: 6, reason: "the ksg estimator with k=5")) {
            try MutualInformation.estimate(x: .continuous(x), y: .continuous(x), settings: .init(neighbors: 5))
        }
        let bad = SampleMatrix(rows: 4, columns: 2, values: [1.0, 2, 3, 4, 5, .nan, 7, 8])
        #expect(throws: InformationTheoryError.nonFinite(variable: .y, row: 2, column: 1)) {
            try MutualInformation.estimate(x: .continuous(x), y: .continuous(bad))
        }
        #expect(throws: InformationTheoryError.labelsNotSupported(estimator: .ksg)) {
            try MutualInformation.estimate(x: .continuous(x), y: .labels([0, 1, 0, 1]), settings: .init(estimator: .ksg))
        }
        #expect(throws: InformationTheoryError.labelsRequired(estimator: .mixed)) {
            try MutualInformation.estimate(x: .continuous(x), y: .continuous(x), settings: .init(estimator: .mixed))
        }
        #expect(throws: InformationTheoryError.invalidSetting(name: "bins", value: "1", reason: "must be at least 2")) {
            try MutualInformation.estimate(x: .continuous(x), y: .continuous(x), settings: .init(bins: 1))
        }
    }

    @Test func autoChoosesFromTheData() {
        let small = Observations.continuous(SampleMatrix(rows: 2, columns: 5, values: Array(repeating: 0, count: 10)))
        let large = Observations.continuous(SampleMatrix(rows: 2, columns: 6, values: Array(repeating: 0, count: 12)))
        let labels = Observations.labels([0, 1])
        #expect(MutualInformation.resolvedEstimator(.auto, x: small, y: small) == .ksg)
        #expect(MutualInformation.resolvedEstimator(.auto, x: small, y: large) == .pca)
        #expect(MutualInformation.resolvedEstimator(.auto, x: large, y: labels) == .mixed)
        #expect(MutualInformation.resolvedEstimator(.auto, x: labels, y: labels) == .binning)
        #expect(MutualInformation.resolvedEstimator(.kde, x: small, y: large) == .kde)
    }

    @Test func kdeMatchesItsFormulaOnASmallSample() throws {
        var rng = SplitMix64(seed: 9)
        let n = 40
        let xs = (0..<n).map { _ in SyntheticData.normal(&rng) }, ys = xs.map { $0 + SyntheticData.normal(&rng) }
        let variance = 0.3
        func a(_ z: [Double], _ i: Int) -> Double { (0..<n).reduce(0) { $0 + exp(-pow(z[i] - z[$1], 2) / (2 * variance)) } / Double(n) }
        func joint(_ i: Int) -> Double {
            (0..<n).reduce(0) { $0 + exp(-(pow(xs[i] - xs[$1], 2) + pow(ys[i] - ys[$1], 2)) / (2 * variance)) } / Double(n)
        }
        let expected = (0..<n).reduce(0.0) { $0 + log(joint($1) / (a(xs, $1) * a(ys, $1))) } / Double(n)
        let result = try MutualInformation.estimate(
            x: .continuous(SampleMatrix(rows: n, columns: 1, values: xs)), y: .continuous(SampleMatrix(rows: n, columns: 1, values: ys)),
            settings: .init(estimator: .kde, noiseVariance: variance))
        #expect(abs(result.nats - expected) < 1e-12)
        #expect(result.noiseVariance == variance && abs(result.bits - result.nats / log(2)) < 1e-15)
    }
}
