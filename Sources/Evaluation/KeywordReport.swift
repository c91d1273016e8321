import AudioDatasets
import Foundation

/// The result of ``KeywordEvaluator``: the confusion matrix with accuracy and per-class accuracy, the per-example
/// predictions (with their subsets) and timing, with the outputs of `eval-kws` (CSV, JSON, text table, SVG heat map).
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

    /// Clips (model windows) classified per second of ``processingSeconds`` (0 when no time was measured).
    public var windowsPerSecond: Double { processingSeconds > 0 ? Double(predictions.count) / processingSeconds : 0 }

    /// The accuracy on each named subset of the clips (``KeywordPrediction/subsets``), sorted by name (so that
    /// `engine ...`, `voice ...` and `word clips ...` subsets come in groups); a clip counts in each of its subsets.
    /// Empty when the evaluation named no subsets.
    public var subsetAccuracies: [KeywordSubsetAccuracy] {
        var bySubset: [String: KeywordSubsetAccuracy] = [:]
        for prediction in predictions {
            for name in prediction.subsets {
                bySubset[name, default: KeywordSubsetAccuracy(name: name, examples: 0, correct: 0)].examples += 1
                if prediction.isCorrect { bySubset[name]!.correct += 1 }
            }
        }
        return bySubset.values.sorted { $0.name < $1.name }
    }

    /// The per-example table: `path, word, truth, prediction, correct` (class names, `correct` is 1 or 0).
    public var csvTable: CSVTable {
        CSVTable(header: ["path", "word", "truth", "prediction", "correct"], rows: predictions.map {
            [$0.path, $0.word, confusion.labels[$0.truth], confusion.labels[$0.prediction], $0.isCorrect ? "1" : "0"]
        })
    }

    /// Writes ``csvTable`` atomically.
    public func writeCSV(to path: String) throws { try csvTable.write(to: path) }

    /// The summary as JSON: `examples`, `accuracy`, `balanced_accuracy`, `per_class_accuracy` by label (`null` for
    /// a class with no examples), `labels`, `confusion` (`[truth][prediction]` counts), `subsets` (name, examples,
    /// correct, accuracy per ``subsetAccuracies``), `audio_seconds`, `processing_seconds`, `real_time_factor` and
    /// `windows_per_second`; accuracies in `0...1`.
    /// - Parameter metadata: more top-level string fields describing the run (e.g. `model`, `data`, `split`), with
    ///   snake_case keys other than the summary's.
    /// - Throws: ``EvaluationError/invalidParameter(name:value:reason:)`` for a metadata key the summary uses.
    public func summaryJSON(metadata: [String: String] = [:]) throws -> Data {
        let summary = Summary(
            examples: confusion.total, accuracy: confusion.accuracy, balancedAccuracy: confusion.balancedAccuracy,
            perClassAccuracy: Dictionary(uniqueKeysWithValues: zip(confusion.labels, confusion.perClassAccuracy)),
            labels: confusion.labels, confusion: confusion.counts, subsets: subsetAccuracies, audioSeconds: audioSeconds,
            processingSeconds: processingSeconds, realTimeFactor: realTimeFactor, windowsPerSecond: windowsPerSecond,
            metadata: metadata)
        for key in metadata.keys.sorted() where Summary.fieldNames.contains(key) {
            throw EvaluationError.invalidParameter(name: "report metadata key", value: key, reason: "the summary already has this field")
        }
        return try ReportJSON.encoded(summary)
    }

    /// Writes ``summaryJSON(metadata:)`` atomically.
    public func writeSummaryJSON(to path: String, metadata: [String: String] = [:]) throws {
        try ReportJSON.write(String(decoding: summaryJSON(metadata: metadata), as: UTF8.self), to: path)
    }

    /// Timing, the confusion matrix as text (``ConfusionMatrix/textTable()``), then one line per subset
    /// (``subsetAccuracies``).
    public func textTable() -> String {
        String(format: "%d clips, %.1f s of audio, classified in %.2f s (real-time factor %.4f, %.0f clips/s)\n",
               confusion.total, audioSeconds, processingSeconds, realTimeFactor, windowsPerSecond)
            + confusion.textTable()
            + subsetAccuracies.map { "  \($0.name) " + String(format: "%.2f%% (%d of %d)\n", 100 * $0.accuracy, $0.correct, $0.examples) }.joined()
    }

    /// The confusion matrix as an SVG heat map (row percentages) under `title`.
    public func heatMapSVG(title: String = "Confusion matrix") -> String { confusion.heatMapSVG(title: title) }

    /// Writes ``heatMapSVG(title:)`` atomically.
    public func writeHeatMap(to path: String, title: String = "Confusion matrix") throws {
        try ReportJSON.write(heatMapSVG(title: title), to: path)
    }

    /// The summary's JSON fields (snake_case keys), with the metadata as further top-level keys.
    private struct Summary: Encodable {
        static let fieldNames: Set<String> = [
            "examples", "accuracy", "balanced_accuracy", "per_class_accuracy", "labels", "confusion", "subsets",
            "audio_seconds", "processing_seconds", "real_time_factor", "windows_per_second",
        ]
        var examples: Int, accuracy: Double, balancedAccuracy: Double, perClassAccuracy: [String: Double?]
        var labels: [String], confusion: [[Int]], subsets: [KeywordSubsetAccuracy]
        var audioSeconds: Double, processingSeconds: Double, realTimeFactor: Double, windowsPerSecond: Double
        var metadata: [String: String]

        /// A top-level key, given as written.
        struct Key: CodingKey, ExpressibleByStringLiteral {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init(stringLiteral value: String) { stringValue = value }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(examples, forKey: "examples")
            try container.encode(accuracy, forKey: "accuracy")
            try container.encode(balancedAccuracy, forKey: "balanced_accuracy")
            try container.encode(perClassAccuracy, forKey: "per_class_accuracy")
            try container.encode(labels, forKey: "labels")
            try container.encode(confusion, forKey: "confusion")
            try container.encode(subsets, forKey: "subsets")
            try container.encode(audioSeconds, forKey: "audio_seconds")
            try container.encode(processingSeconds, forKey: "processing_seconds")
            try container.encode(realTimeFactor, forKey: "real_time_factor")
            try container.encode(windowsPerSecond, forKey: "windows_per_second")
            for (key, value) in metadata { try container.encode(value, forKey: Key(stringValue: key)) }
        }
    }
}
