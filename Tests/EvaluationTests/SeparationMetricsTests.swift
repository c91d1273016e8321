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
        let bss = try BSSEval(references: references)
        let result = try bss.evaluate(estimates: estimates)
        #expect(result.permutation == expected.perm)
        expectClose(result.sdr, expected.sdr, tolerance: 1e-3, "\(name) SDR")
        expectClose(result.sir, expected.sir, tolerance: 1e-3, "\(name) SIR")
        expectClose(result.sar, expected.sar, tolerance: 1e-3, "\(name) SAR")
        let input = try bss.evaluate(estimates: references.map { _ in mixture }, computePermutation: false)
        expectClose(input.sdr, expected.input_sdr, tolerance: 1e-3, "\(name) input SDR")
        expectClose(input.sir, expected.input_sir, tolerance: 1e-3, "\(name) input SIR")
        expectClose(input.sar, expected.input_sar, tolerance: 1e-3, "\(name) input SAR")
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
