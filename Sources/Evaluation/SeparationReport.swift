import AudioDatasets
import Foundation

/// Per-utterance results and their summary, with the evaluator's outputs: the per-utterance CSV, the summary JSON,
/// a text table for stdout and an SVG histogram of SI-SNRi.
///
/// ```swift
/// let report = try evaluator.evaluate(examples, separate: model.separate)
/// try report.writeCSV(to: "per_utterance.csv")
/// try report.writeSummaryJSON(to: "summary.json")
/// try report.writeHistogram(to: "si_snri.svg")
/// print(report.textTable(), terminator: "")
/// ```
public struct SeparationReport: Sendable, Equatable, Codable {
    /// One row per utterance, in evaluation order.
    public var rows: [SeparationResult]
    /// Means, medians, counts and timing.
    public var summary: SeparationSummary

    /// A report of `rows` evaluated at `sampleRate` (Hz); the summary is computed from them, with SI-SNRi over the
    /// subsets `subsets(utterance name)` gives (none by default).
    public init(rows: [SeparationResult], sampleRate: Int, subsets: ((String) -> [String])? = nil) {
        self.rows = rows
        summary = SeparationSummary(rows: rows, sampleRate: sampleRate, subsets: subsets.map { names in { names($0.id) } })
    }

    /// The per-utterance table (columns ``SeparationResult/csvHeader``).
    public var csvTable: CSVTable { CSVTable(header: SeparationResult.csvHeader, rows: rows.map(\.csvRow)) }

    /// Writes ``csvTable`` atomically.
    public func writeCSV(to path: String) throws { try csvTable.write(to: path) }

    /// The summary as JSON (snake_case keys, sorted, indented).
    public func summaryJSON() throws -> Data { try ReportJSON.encoded(summary) }

    /// Reads a summary written by ``summaryJSON()``.
    public static func summary(json: Data) throws -> SeparationSummary { try ReportJSON.decoded(SeparationSummary.self, from: json) }

    /// Writes ``summaryJSON()`` atomically.
    public func writeSummaryJSON(to path: String) throws { try ReportJSON.write(String(decoding: summaryJSON(), as: UTF8.self), to: path) }

    /// The summary as aligned text: counts and timing, then mean and median of each metric.
    public func textTable() -> String {
        let s = summary
        var lines = [
            String(format: "%d utterances, %.1f s of audio at %d Hz, separated in %.2f s (real-time factor %.4f)",
                   s.utterances, s.audioSeconds, s.sampleRate, s.processingSeconds, s.realTimeFactor),
            "metric (dB)        mean    median",
        ]
        let metrics: [(String, MetricSummary?)] = [
            ("SI-SNR", s.siSNR), ("SI-SNRi", s.siSNRImprovement), ("input SI-SNR", s.inputSISNR),
            ("SDR", s.sdr), ("SDRi", s.sdrImprovement), ("input SDR", s.inputSDR), ("SIR", s.sir), ("SAR", s.sar),
        ]
        for (name, metric) in metrics {
            guard let metric else { continue }
            lines.append(name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: "%10.2f %9.2f", metric.mean, metric.median))
        }
        for subset in s.subsets ?? [] {
            let metric = subset.siSNRImprovement
            lines.append(String(format: "SI-SNRi, %@ (%d): mean %.2f, median %.2f", subset.name, metric.count, metric.mean, metric.median))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An SVG histogram of the per-utterance SI-SNRi.
    /// - Parameter bins: number of bars.
    public func histogramSVG(bins: Int = 30) -> String {
        SVGPlot(title: "SI-SNR improvement over \(rows.count) utterances", xLabel: "SI-SNRi (dB)", yLabel: "utterances")
            .histogram(rows.map(\.siSNRImprovement), bins: bins)
    }

    /// Writes ``histogramSVG(bins:)`` atomically.
    public func writeHistogram(to path: String, bins: Int = 30) throws { try ReportJSON.write(histogramSVG(bins: bins), to: path) }
}
