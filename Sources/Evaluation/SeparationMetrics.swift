import RealModule
import TensorCore

/// Separation quality in `Double`: SI-SNR (asteroid / SpeechBrain definition), its improvement, utterance-level PIT,
/// and BSS-Eval v3 SDR (mir_eval) with its improvement.
///
/// Signals are `[Float]` sample arrays (`[n]`), sets of them `[nsrc][n]`; results are in dB.
///
/// ```swift
/// let pit = try SeparationMetrics.permutationInvariantSISNR(estimates: [e1, e2], references: [s1, s2])
/// let sdr = try SeparationMetrics.bssEvalSources(references: [s1, s2], estimates: [e1, e2])
/// ```
public enum SeparationMetrics {
    /// The `eps` of asteroid's `PairwiseNegSDR` and SpeechBrain's `cal_si_snr`, added inside the ratio and the log.
    public static let epsilon = 1e-8
    /// The most sources the exhaustive permutation search accepts (`6! = 720` permutations).
    public static let maximumSources = 6

    /// Scale-invariant SNR of `estimate` against `reference`, both made zero-mean:
    /// `s = <e, r> / (‖r‖² + eps) · r`, `SI-SNR = 10 log10(‖s‖² / (‖e − s‖² + eps) + eps)`.
    /// - Parameters:
    ///   - estimate: `[n]` samples.
    ///   - reference: `[n]` samples.
    /// - Returns: dB; `10 log10(eps) = −80` for a silent estimate or reference.
    /// - Throws: ``EvaluationError/lengthMismatch(item:what:expected:actual:)``, ``EvaluationError/emptyInput(what:)``.
    public static func siSNR(estimate: [Float], reference: [Float]) throws(EvaluationError) -> Double {
        guard !reference.isEmpty else { throw .emptyInput(what: "samples in the reference") }
        guard estimate.count == reference.count else {
            throw .lengthMismatch(item: "SI-SNR", what: "the estimate", expected: reference.count, actual: estimate.count)
        }
        let e = zeroMean(estimate), r = zeroMean(reference)
        return siSNR(zeroMeanEstimate: e, zeroMeanReference: r)
    }

    /// SI-SNR improvement: `SI-SNR(estimate, reference) − SI-SNR(mixture, reference)` (dB), all `[n]`.
    /// - Throws: as ``siSNR(estimate:reference:)``.
    public static func siSNRImprovement(estimate: [Float], reference: [Float], mixture: [Float]) throws(EvaluationError) -> Double {
        try siSNR(estimate: estimate, reference: reference) - siSNR(estimate: mixture, reference: reference)
    }

    /// SI-SNR of every estimate against every reference.
    /// - Parameters:
    ///   - estimates: `[nest][n]`.
    ///   - references: `[nref][n]`.
    /// - Returns: `[nest][nref]`, element `[i][j]` is SI-SNR(estimate i, reference j) in dB.
    /// - Throws: ``EvaluationError`` for an empty set or unequal lengths.
    public static func siSNRMatrix(estimates: [[Float]], references: [[Float]]) throws(EvaluationError) -> [[Double]] {
        guard let n = references.first?.count, n > 0, !estimates.isEmpty else { throw .emptyInput(what: "signals") }
        for (j, r) in references.enumerated() where r.count != n {
            throw .lengthMismatch(item: "references", what: "reference \(j + 1)", expected: n, actual: r.count)
        }
        for (i, e) in estimates.enumerated() where e.count != n {
            throw .lengthMismatch(item: "estimates", what: "estimate \(i + 1)", expected: n, actual: e.count)
        }
        let r = references.map(zeroMean), e = estimates.map(zeroMean)
        return e.map { ei in r.map { rj in siSNR(zeroMeanEstimate: ei, zeroMeanReference: rj) } }
    }

    /// Utterance-level permutation-invariant SI-SNR: the matching of estimates to references that maximises the mean
    /// SI-SNR over all `nsrc!` permutations (the first in lexicographic order on ties).
    /// - Parameters:
    ///   - estimates: `[nsrc][n]`.
    ///   - references: `[nsrc][n]`.
    /// - Returns: the permutation and the SI-SNR of each reference under it.
    /// - Throws: ``EvaluationError`` for a count or length mismatch, or more than ``maximumSources`` sources.
    public static func permutationInvariantSISNR(estimates: [[Float]], references: [[Float]]) throws(EvaluationError) -> PermutationInvariantResult {
        guard estimates.count == references.count else {
            throw .sourceCountMismatch(item: "PIT", estimates: estimates.count, references: references.count)
        }
        guard references.count <= maximumSources else {
            throw .tooManySources(item: "PIT", count: references.count, maximum: maximumSources)
        }
        let matrix = try siSNRMatrix(estimates: estimates, references: references)
        return bestPermutation(matrix)
    }

    /// The permutation maximising the mean of `scores[p[j]][j]` over a square `[estimate][reference]` score matrix,
    /// with the matched scores (`[nsrc]` each).
    /// - Precondition: `scores` is square with at most ``maximumSources`` rows.
    public static func bestPermutation(_ scores: [[Double]]) -> PermutationInvariantResult {
        precondition(scores.allSatisfy { $0.count == scores.count } && scores.count <= maximumSources)
        let permutation = Permutations.best(scores).permutation
        return PermutationInvariantResult(permutation: permutation, values: permutation.indices.map { scores[permutation[$0]][$0] })
    }

    /// BSS-Eval v3 SDR, SIR and SAR with a 512-tap distortion filter, exactly as
    /// `mir_eval.separation.bss_eval_sources(references, estimates, compute_permutation)` (see ``BSSEval``).
    /// - Parameters:
    ///   - references: `[nsrc][n]`, non-silent.
    ///   - estimates: `[nsrc][n]`, non-silent.
    ///   - computePermutation: match by maximal mean SIR (mir_eval's default) or take estimate `j` for reference `j`.
    ///   - filterLength: distortion filter taps (512 in mir_eval).
    /// - Returns: criteria per reference and the permutation.
    /// - Throws: ``EvaluationError`` for empty, silent, dependent, unequally long or unequally many signals.
    public static func bssEvalSources(
        references: [[Float]], estimates: [[Float]], computePermutation: Bool = true, filterLength: Int = 512
    ) throws(EvaluationError) -> BSSEvalResult {
        try BSSEval(references: references, filterLength: filterLength)
            .evaluate(estimates: estimates, computePermutation: computePermutation)
    }

    /// `x − mean(x)` in `Double`, `[n]`.
    static func zeroMean(_ x: [Float]) -> [Double] {
        var sum = 0.0
        for v in x { sum += Double(v) }
        let mean = x.isEmpty ? 0 : sum / Double(x.count)
        return x.map { Double($0) - mean }
    }

    /// SI-SNR of zero-mean signals, term by term as asteroid computes it (the noise is formed explicitly, so
    /// very high ratios are not lost to cancellation).
    static func siSNR(zeroMeanEstimate e: [Double], zeroMeanReference r: [Double]) -> Double {
        var dot = 0.0, referenceEnergy = 0.0
        for t in r.indices {
            dot += e[t] * r[t]
            referenceEnergy += r[t] * r[t]
        }
        let scale = dot / (referenceEnergy + epsilon)
        var targetEnergy = 0.0, noiseEnergy = 0.0
        for t in r.indices {
            let target = scale * r[t], noise = e[t] - target
            targetEnergy += target * target
            noiseEnergy += noise * noise
        }
        return 10 * Double.log10(targetEnergy / (noiseEnergy + epsilon) + epsilon)
    }
}
