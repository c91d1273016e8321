import AudioIO
import Foundation
import KeywordSpotting
import Streaming

/// Per-keyword thresholds for `detect` chosen on a labelled stream at a false-accept budget, stored in the model's
/// `config.json` so that `detect --model M` uses them without `--threshold` (`sepkws calibrate`, and the last stage
/// of the wake-word recipe `train-kws --words`): the stream is scored once with the model, the detector's rules are
/// replayed for each keyword alone over a sweep of thresholds (``KeywordThresholdCalibration``), and the strictest
/// miss rate within the budget wins. A threshold then means the same thing for every model: about `target` false
/// accepts per hour per keyword on speech like the stream's.
///
/// Each calibration also lists the keyword's closest false accepts (what the stream said there, from the
/// `segments.csv` of a `synth stream` folder): what the user's phrase is confused with.
///
/// The stream (audio plus `keyword,start_s,end_s` labels, e.g. `sepkws synth stream`) should be spoken by voices the
/// model never heard; evaluation does not link the synthesizers, so it is made beforehand.
///
/// ```swift
/// let calibration = ThresholdCalibration(targetFalseAcceptsPerHour: 0.5)
/// let result = try calibration.run(model: "runs/ww/model", audio: "cal/stream.wav", labels: "cal/labels.csv",
///                                  report: "cal/calibration.json") { spotter in
///     (try DetectionSettings.defaults(for: spotter), hop: 1_280)
/// }
/// ```
public struct ThresholdCalibration {
    /// False accepts per hour each threshold is calibrated to.
    public var targetFalseAcceptsPerHour: Double

    public init(targetFalseAcceptsPerHour: Double) {
        self.targetFalseAcceptsPerHour = targetFalseAcceptsPerHour
    }

    /// What a calibration found.
    public struct Result: Sendable {
        /// One calibration per watched keyword.
        public var calibrations: [KeywordThresholdCalibration]
        /// The stream's length (s).
        public var durationSeconds: Double
    }

    /// Scores the stream with the model at `model`, and stores the thresholds in its `config.json` (atomically; the
    /// model's other thresholds, of keywords not watched, stay).
    /// - Parameters:
    ///   - audio: the stream's audio file.
    ///   - labels: its labels CSV (`keyword,start_s,end_s[,condition]`).
    ///   - report: where the calibrations go as JSON, or nil.
    ///   - rules: the detector's rules (the watched keywords among them) and hop (samples) for the loaded spotter.
    ///   - scoringProgress: (seconds scored, total seconds).
    /// - Throws: dataset, audio and model errors; ``EvaluationError`` for a watched keyword the stream never says.
    public func run(
        model: String, audio: String, labels: String, report: String?,
        rules: (KeywordSpotter) throws -> (settings: DetectionSettings, hop: Int),
        scoringProgress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Result {
        // Score it once with the rules, recording every hop.
        let spotter = try KeywordSpotter(directory: model)
        let (settings, hop) = try rules(spotter)
        let detector = try KeywordDetector(spotter: spotter, hop: hop, settings: settings)
        let recorded = try StreamingDetectionEvaluator.record(audio: audio, detector: detector, progress: scoringProgress)
        let occurrences = try KeywordInterval.load(csv: labels)
        let calibrations = try KeywordThresholdCalibration.calibrate(
            stream: recorded, occurrences: occurrences, rules: settings, targetFalseAcceptsPerHour: targetFalseAcceptsPerHour,
            toleranceSeconds: 1, segments: try StreamSegment.load(besideLabels: labels),
            windowSeconds: spotter.configuration.frontEnd.clipSeconds)
        try KeywordSpotter.storeThresholds(Dictionary(uniqueKeysWithValues: calibrations.map { ($0.keyword, $0.threshold) }), inModel: model)
        // The reports' JSON: a budget no threshold meets has an infinite operating threshold, written "inf".
        if let report { try AtomicOutput.write(try ReportJSON.encoded(calibrations), to: report) }
        return Result(calibrations: calibrations, durationSeconds: recorded.durationSeconds)
    }
}
