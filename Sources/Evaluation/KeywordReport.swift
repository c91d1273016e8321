import AudioDatasets
import Foundation

/// The result of ``KeywordEvaluator``: the confusion matrix with accuracy and per-class accuracy, the per-example
/// predictions and timing, with the outputs of `eval-kws` (CSV, JSON, text table, SVG heat map).
public struct KeywordReport: Sendable, Equatable, Codable {
    /// Counts by (true, predicted) class; accuracy and per-class accuracy derive from it.
    public var confusion: ConfusionMatrix
    /// One entry per clip, in evaluation order.
    public var predictions: [KeywordPrediction]
    /// Audio classified (s).
    public var audioSeconds: Double
    /// Time spent in the classification function (s).
    public var processingSeconds: Double

    /// A report from its confusion matrix, predictions `[n]`, audio length (s) and processing time (s).
    public init(confusion: ConfusionMatrix, predictions: [KeywordPrediction], audioSeconds: Double, processingSeconds: Double) {
        self.confusion = confusion
        self.predictions = predictions
        self.audioSeconds = audioSeconds
        self.processingSeconds = processingSeconds
    }

    /// `processingSeconds / audioSeconds`.
    public var realTimeFactor: Double { audioSeconds > 0 ? processingSeconds / audioSeconds : 0 }

    /// The per-example table: `path, word, truth, prediction, correct` (class names, `correct` is 1 or 0).
    public var csvTable: CSVTable {
        CSVTable(header: ["path", "word", "truth", "prediction", "correct"], rows: predictions.map {
            [$0.path, $0.word, confusion.labels[$0.truth], confusion.labels[$0.prediction], $0.truth == $0.prediction ? "1" : "0"]
        })
    }

    /// Writes ``csvTable`` atomically.
    public func writeCSV(to path: String) throws { try csvTable.write(to: path) }

    /// The summary as JSON: accuracy, balanced accuracy, per-class accuracy by label (`null` for a class with no
    /// examples), the confusion matrix, counts and timing.
    public func summaryJSON() throws -> Data {
        struct Summary: Encodable {
            var examples: Int, accuracy: Double, balancedAccuracy: Double, perClassAccuracy: [String: Double?]
            var labels: [String], confusion: [[Int]], audioSeconds: Double, processingSeconds: Double, realTimeFactor: Double
        }
        return try ReportJSON.encoded(Summary(
            examples: confusion.total, accuracy: confusion.accuracy, balancedAccuracy: confusion.balancedAccuracy,
            perClassAccuracy: Dictionary(uniqueKeysWithValues: zip(confusion.labels, confusion.perClassAccuracy)),
            labels: confusion.labels, confusion: confusion.counts, audioSeconds: audioSeconds,
            processingSeconds: processingSeconds, realTimeFactor: realTimeFactor))
    }

    /// Writes ``summaryJSON()`` atomically.
    public func writeSummaryJSON(to path: String) throws { try ReportJSON.write(String(decoding: summaryJSON(), as: UTF8.self), to: path) }

    /// Timing, then the confusion matrix as text (``ConfusionMatrix/textTable()``).
    public func textTable() -> String {
        String(format: "%d clips, %.1f s of audio, classified in %.2f s (real-time factor %.4f)\n",
               confusion.total, audioSeconds, processingSeconds, realTimeFactor) + confusion.textTable()
    }

    /// The confusion matrix as an SVG heat map (row percentages).
    public func heatMapSVG() -> String { confusion.heatMapSVG() }

    /// Writes ``heatMapSVG()`` atomically.
    public func writeHeatMap(to path: String) throws { try ReportJSON.write(heatMapSVG(), to: path) }
}
