import Evaluation
import Foundation
import Testing
import TestSupport

/// mir_eval / numpy reference values of one fixture case (see `Fixtures/evaluation/make_fixtures.py`).
struct ReferenceCase: Decodable {
    var sdr: [Double], sir: [Double], sar: [Double], perm: [Int]
    var input_sdr: [Double], input_sir: [Double], input_sar: [Double]
    var si_snr_pairwise: [[Double]], pit_perm: [Int], pit_si_snr: [Double], input_si_snr: [Double]

    static func load(_ name: String) throws -> (expected: ReferenceCase, references: [[Float]], estimates: [[Float]], mixture: [Float]) {
        let json = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("evaluation/expected.json")))
        let expected = try #require(try JSONDecoder().decode([String: ReferenceCase].self, from: json)[name])
        func rows(_ suffix: String) throws -> [[Float]] {
            let array = try NumpyArray(path: Fixtures.path("evaluation/\(name)_\(suffix).npy"))
            let n = array.shape.last!
            return stride(from: 0, to: array.values.count, by: n).map { Array(array.values[$0..<$0 + n]) }
        }
        return (expected, try rows("refs"), try rows("ests"), try rows("mix")[0])
    }
}

/// Expects equal lengths and `|a − b| <= tolerance` element-wise, naming the worst element.
func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    let worst = zip(actual, expected).map { abs($0 - $1) }.enumerated().max { $0.element < $1.element }
    #expect((worst?.element ?? 0) <= tolerance, "\(what): got \(actual), expected \(expected)", sourceLocation: sourceLocation)
}

@Suite struct SeparationMetricsTests {
    static let cases = ["noise2", "speechlike2", "speech2", "noise3", "speechlike3"]

    @Test(arguments: cases) func bssEvalMatchesMirEval(name: String) throws {
        let (expected, references, estimates, mixture) = try ReferenceCase.load(name)
        let (result, input) = try BSSEval(references: references).evaluate(estimates: estimates, mixture: mixture)
        #expect(result.permutation == expected.perm)
        expectClose(result.sdr, expected.sdr, tolerance: 1e-6, "\(name) SDR")
        expectClose(result.sir, expected.sir, tolerance: 1e-6, "\(name) SIR")
        expectClose(result.sar, expected.sar, tolerance: 1e-6, "\(name) SAR")
        expectClose(input.sdr, expected.input_sdr, tolerance: 1e-6, "\(name) input SDR")
        expectClose(input.sir, expected.input_sir, tolerance: 1e-6, "\(name) input SIR")
        expectClose(input.sar, expected.input_sar, tolerance: 1e-6, "\(name) input SAR")
    }

    @Test(arguments: cases) func siSNRMatchesNumpy(name: String) throws {
        let (expected, references, estimates, mixture) = try ReferenceCase.load(name)
        let matrix = try SeparationMetrics.siSNRMatrix(estimates: estimates, references: references)
        for (row, expectedRow) in zip(matrix, expected.si_snr_pairwise) { expectClose(row, expectedRow, tolerance: 1e-9, "\(name) pairwise") }
        let pit = try SeparationMetrics.permutationInvariantSISNR(estimates: estimates, references: references)
        #expect(pit.permutation == expected.pit_perm)
        expectClose(pit.values, expected.pit_si_snr, tolerance: 1e-9, "\(name) PIT")
        let input = try references.map { try SeparationMetrics.siSNR(estimate: mixture, reference: $0) }
        expectClose(input, expected.input_si_snr, tolerance: 1e-9, "\(name) input")
    }
}

@Suite struct SeparationMetricPropertiesTests {
    let noise = TensorAssertions.randomValues(1_000, seed: 3)
    let other = TensorAssertions.randomValues(1_000, seed: 4)

    @Test func siSNRIsScaleAndOffsetInvariantAndCapped() throws {
        let reference = noise
        let estimate = zip(noise, other).map { $0 + 0.1 * $1 }
        let base = try SeparationMetrics.siSNR(estimate: estimate, reference: reference)
        #expect(abs(try SeparationMetrics.siSNR(estimate: estimate.map { 3 * $0 + 0.25 }, reference: reference) - base) < 1e-5)
        #expect(abs(try SeparationMetrics.siSNR(estimate: estimate, reference: reference.map { 0.5 * $0 }) - base) < 1e-5)
        // A perfect estimate hits the cap set by eps: 10 log10(‖x‖² / 1e-8) for zero-mean x.
        let alternating: [Float] = [1, -1, 1, -1]
        #expect(abs(try SeparationMetrics.siSNR(estimate: alternating, reference: alternating) - 10 * log10(4 / 1e-8)) < 1e-6)
        // Silence gives 10 log10(eps) = −80 dB.
        #expect(try SeparationMetrics.siSNR(estimate: [0, 0, 0], reference: [1, 2, 3]) == -80)
        let improvement = try SeparationMetrics.siSNRImprovement(estimate: estimate, reference: reference, mixture: zip(noise, other).map { $0 + $1 })
        #expect(abs(improvement - (base - (try SeparationMetrics.siSNR(estimate: zip(noise, other).map { $0 + $1 }, reference: reference)))) < 1e-12)
    }

    @Test(arguments: [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]])
    func pitRecoversPermutations(order: [Int]) throws {
        let references = [noise, other, TensorAssertions.randomValues(1_000, seed: 5)]
        // Estimate k is reference order[k] (slightly noisy): reference j is matched by the estimate holding it.
        let estimates = order.enumerated().map { k, j in references[j].enumerated().map { $1 + 0.01 * references[(j + 1) % 3][$0] } }
        let pit = try SeparationMetrics.permutationInvariantSISNR(estimates: estimates, references: references)
        let expected = (0..<3).map { j in order.firstIndex(of: j)! }
        #expect(pit.permutation == expected)
        #expect(pit.reordered(estimates) == (0..<3).map { estimates[expected[$0]] })
        #expect(pit.values.allSatisfy { $0 > 35 })
        let bss = try SeparationMetrics.bssEvalSources(references: references, estimates: estimates, filterLength: 32)
        #expect(bss.permutation == expected)
    }

    @Test func errorsNameTheSignalAndTheCause() throws {
        #expect(throws: EvaluationError.lengthMismatch(item: "SI-SNR", what: "the estimate", expected: 3, actual: 2)) {
            try SeparationMetrics.siSNR(estimate: [1, 2], reference: [1, 2, 3])
        }
        #expect(throws: EvaluationError.sourceCountMismatch(item: "PIT", estimates: 1, references: 2)) {
            try SeparationMetrics.permutationInvariantSISNR(estimates: [noise], references: [noise, other])
        }
        #expect(throws: EvaluationError.silentSignal(item: "BSS-Eval", what: "reference 2")) {
            try BSSEval(references: [noise, [Float](repeating: 0, count: 1_000)])
        }
        let bss = try BSSEval(references: [noise, other], filterLength: 16)
        #expect(throws: EvaluationError.silentSignal(item: "mix1: estimate 2", what: "the estimate")) {
            try bss.evaluate(estimates: [noise, [Float](repeating: 0, count: 1_000)], item: "mix1")
        }
        #expect(throws: EvaluationError.lengthMismatch(item: "mix1: estimate 1", what: "the estimate", expected: 1_000, actual: 999)) {
            try bss.evaluate(estimates: [Array(noise.dropLast()), other], item: "mix1")
        }
        #expect(throws: EvaluationError.dependentReferences(item: "BSS-Eval")) {
            try BSSEval(references: [noise, noise.map { 2 * $0 }], filterLength: 8).evaluate(estimates: [noise, other])
        }
        #expect(EvaluationError.sourceCountMismatch(item: "mix7", estimates: 3, references: 2).description
            == "mix7: 3 estimated sources for 2 references")
        #expect(EvaluationError.lengthMismatch(item: "mix7", what: "estimate 2", expected: 8000, actual: 7999).description
            == "mix7: estimate 2 has 7999 samples, expected 8000")
        #expect(EvaluationError.silentSignal(item: "mix7", what: "reference 1").description
            == "mix7: reference 1 is all zeros (BSS-Eval needs non-silent references and estimates)")
        #expect(EvaluationError.emptyInput(what: "examples").description == "no examples to evaluate")
    }
}
