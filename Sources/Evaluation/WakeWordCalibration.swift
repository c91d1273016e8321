import AudioIO
import Foundation
import KeywordSpotting
import Streaming

/// The last stage of the wake-word recipe (`train-kws --words`): score a calibration stream once with the trained
/// model, replay the detector's rules to choose each phrase's threshold at the false-accept budget
/// (``KeywordThresholdCalibration``), store the thresholds in the model's `config.json` and the calibrations in
/// `STREAM/calibration.json`. The stream (`STREAM/stream.wav` and `STREAM/labels.csv`, spoken by held-out speakers)
/// is synthesized beforehand by `CorpusSynthesis` (`WakeWordCorpusBuilder.calibrationStream`), so that evaluation
/// does not link the synthesizers.
///
/// ```swift
/// let calibration = WakeWordCalibration(targetFalseAcceptsPerHour: 0.5)
/// let result = try calibration.run(model: "runs/ww/model", streamDirectory: "runs/ww/calibration") { spotter in
///     (try DetectionSettings.defaults(for: spotter), hop: 1_280)
/// }
/// ```
public struct WakeWordCalibration {
    /// False accepts per hour each threshold is calibrated to.
    public var targetFalseAcceptsPerHour: Double

    public init(targetFalseAcceptsPerHour: Double) {
        self.targetFalseAcceptsPerHour = targetFalseAcceptsPerHour
    }

    /// What a calibration found.
    public struct Result: Sendable {
        /// One calibration per phrase.
        public var calibrations: [KeywordThresholdCalibration]
        /// The stream's length (s).
        public var durationSeconds: Double
    }

    /// Scores the stream in `streamDirectory` with the model at `model`, and stores the thresholds.
    /// - Parameters:
    ///   - rules: the detector's rules and hop (samples) for the loaded spotter (`detect`'s defaults).
    ///   - scoringProgress: (seconds scored, total seconds).
    /// - Throws: dataset, audio and model errors.
    public func run(
        model: String, streamDirectory: String, rules: (KeywordSpotter) throws -> (settings: DetectionSettings, hop: Int),
        scoringProgress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Result {
        // Score it once with the rules, recording every hop.
        let spotter = try KeywordSpotter(directory: model)
        let (settings, hop) = try rules(spotter)
        let detector = try KeywordDetector(spotter: spotter, hop: hop, settings: settings)
        let recorded = try StreamingDetectionEvaluator.record(
            audio: (streamDirectory as NSString).appendingPathComponent("stream.wav"), detector: detector, progress: scoringProgress)
        let occurrences = try KeywordInterval.load(csv: (streamDirectory as NSString).appendingPathComponent("labels.csv"))
        let calibrations = try KeywordThresholdCalibration.calibrate(
            stream: recorded, occurrences: occurrences, rules: settings, targetFalseAcceptsPerHour: targetFalseAcceptsPerHour,
            toleranceSeconds: 1)
        try KeywordSpotter.storeThresholds(Dictionary(uniqueKeysWithValues: calibrations.map { ($0.keyword, $0.threshold) }), inModel: model)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicOutput.write(try encoder.encode(calibrations), to: (streamDirectory as NSString).appendingPathComponent("calibration.json"))
        return Result(calibrations: calibrations, durationSeconds: recorded.durationSeconds)
    }
}
