import AudioDatasets
import AudioIO
import Foundation

/// Runs a separation function over mixtures with known references and measures SI-SNR(i) (PIT) and BSS-Eval
/// SDR(i) (mir_eval) per utterance.
///
/// Audio is read with ``AudioIO/MonoReader`` (mixed down, resampled to ``sampleRate``). The separation function gets
/// the mixture `[n]` and must return one estimate `[n]` per reference, in any order.
///
/// ```swift
/// let examples = try SeparationDataset.examples(root: "LibriMix", split: "test")
/// let evaluator = SeparationEvaluator(sampleRate: 8_000)
/// let report = try evaluator.evaluate(examples) { mixture in try separator.separate(mixture) }
/// print(report.textTable(), terminator: "")
/// ```
public struct SeparationEvaluator: Sendable {
    /// The rate every file is read at (Hz), the separator's rate.
    public var sampleRate: Int
    /// Whether to compute BSS-Eval SDR / SIR / SAR (the slower part; SI-SNR is always computed).
    public var computeSDR: Bool
    /// BSS-Eval distortion filter taps (512, as mir_eval).
    public var filterLength = 512
    /// Talkers negated before separation (``MixturePolarity``; as recorded by default).
    public var polarity: MixturePolarity = .asRecorded

    /// - Parameters:
    ///   - sampleRate: evaluation rate (Hz).
    ///   - computeSDR: compute BSS-Eval SDR besides SI-SNR.
    ///   - polarity: talkers negated before separation, applied to every example read from files.
    public init(sampleRate: Int, computeSDR: Bool = true, polarity: MixturePolarity = .asRecorded) {
        self.sampleRate = sampleRate
        self.computeSDR = computeSDR
        self.polarity = polarity
    }

    /// Evaluates every example in order.
    /// - Parameters:
    ///   - examples: mixtures with their reference files, at least one.
    ///   - separate: mixture `[n]` → estimates `[nsrc][n]`.
    ///   - progress: called after each utterance with (done, total, its result).
    ///   - subsets: names of the subsets an utterance belongs to, by its name (e.g.
    ///     `AudioDatasets/MixtureCorpusManifest/subsets(of:)`); the summary gives SI-SNRi for each.
    /// - Returns: the per-utterance rows and the summary.
    /// - Throws: ``EvaluationError`` (no examples, a wrong estimate count or length, a failed separation, silent or
    ///   dependent references) or ``AudioIO/AudioIOError`` for a file that cannot be read; the first error stops
    ///   the run.
    public func evaluate(
        _ examples: [SeparationExample], separate: ([Float]) throws -> [[Float]],
        progress: ((_ done: Int, _ total: Int, _ result: SeparationResult) -> Void)? = nil, subsets: ((String) -> [String])? = nil
    ) throws -> SeparationReport {
        guard !examples.isEmpty else { throw EvaluationError.emptyInput(what: "examples") }
        var rows: [SeparationResult] = []
        for example in examples {
            rows.append(try evaluate(example, separate: separate))
            progress?(rows.count, examples.count, rows[rows.count - 1])
        }
        return SeparationReport(rows: rows, sampleRate: sampleRate, subsets: subsets)
    }

    /// Reads one example's files, applies ``polarity`` and evaluates it.
    /// - Throws: as ``evaluate(_:separate:progress:)``; a reference whose length differs from the mixture's is a
    ///   ``EvaluationError/lengthMismatch(item:what:expected:actual:)`` naming its file.
    public func evaluate(_ example: SeparationExample, separate: ([Float]) throws -> [[Float]]) throws -> SeparationResult {
        let mixture = try MonoReader(path: example.mixture, sampleRate: sampleRate).readAll()
        var references: [[Float]] = []
        for path in example.sources {
            let reference = try MonoReader(path: path, sampleRate: sampleRate).readAll()
            guard reference.count == mixture.count else {
                throw EvaluationError.lengthMismatch(item: example.id, what: path, expected: mixture.count, actual: reference.count)
            }
            references.append(reference)
        }
        let signed = polarity.apply(mixture: mixture, references: references)
        return try evaluate(id: example.id, mixture: signed.mixture, references: signed.references, separate: separate)
    }

    /// Evaluates one utterance held in memory.
    /// - Parameters:
    ///   - id: the utterance's name (for the row and error messages).
    ///   - mixture: `[n]` at ``sampleRate``.
    ///   - references: `[nsrc][n]`.
    ///   - separate: mixture `[n]` → estimates `[nsrc][n]`.
    /// - Returns: the utterance's row.
    /// - Throws: ``EvaluationError``.
    public func evaluate(
        id: String, mixture: [Float], references: [[Float]], separate: ([Float]) throws -> [[Float]]
    ) throws -> SeparationResult {
        guard !references.isEmpty else { throw EvaluationError.emptyInput(what: "reference sources for \(id)") }
        guard !mixture.isEmpty else { throw EvaluationError.emptyInput(what: "mixture samples for \(id)") }
        for (j, reference) in references.enumerated() where reference.count != mixture.count {
            throw EvaluationError.lengthMismatch(item: id, what: "reference \(j + 1)", expected: mixture.count, actual: reference.count)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let estimates: [[Float]]
        do { estimates = try separate(mixture) } catch {
            throw EvaluationError.separationFailed(item: id, reason: "\(error)")
        }
        let elapsed = clock.now - start
        let processing = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        guard estimates.count == references.count else {
            throw EvaluationError.sourceCountMismatch(item: id, estimates: estimates.count, references: references.count)
        }
        for (j, estimate) in estimates.enumerated() where estimate.count != mixture.count {
            throw EvaluationError.lengthMismatch(item: id, what: "estimate \(j + 1)", expected: mixture.count, actual: estimate.count)
        }
        guard references.count <= SeparationMetrics.maximumSources else {
            throw EvaluationError.tooManySources(item: id, count: references.count, maximum: SeparationMetrics.maximumSources)
        }
        let pit = try SeparationMetrics.permutationInvariantSISNR(estimates: estimates, references: references)
        let input = try SeparationMetrics.siSNRMatrix(estimates: [mixture], references: references)[0]
        let siSNRi = zip(pit.values, input).map { $0 - $1 }
        var result = SeparationResult(
            id: id, seconds: Double(mixture.count) / Double(sampleRate), sourceCount: references.count,
            siSNR: pit.mean, siSNRImprovement: Statistics.mean(siSNRi), inputSISNR: Statistics.mean(input),
            siSNRPerSource: pit.values, permutation: pit.permutation, processingSeconds: processing)
        if computeSDR {
            let bss = try BSSEval(references: references, filterLength: filterLength, item: id)
            let (output, mixtureCriteria) = try bss.evaluate(estimates: estimates, mixture: mixture, item: id)
            result.sdr = Self.mean(output.sdr)
            result.inputSDR = Self.mean(mixtureCriteria.sdr)
            result.sdrImprovement = Self.mean(zip(output.sdr, mixtureCriteria.sdr).map { $0 - $1 })
            result.sir = Self.mean(output.sir)
            result.sar = Self.mean(output.sar)
            result.sdrPerSource = output.sdr
            result.sdrPermutation = output.permutation
        }
        return result
    }

    /// The plain mean (an infinite SDR makes the utterance's mean infinite, as numpy would).
    private static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
}
