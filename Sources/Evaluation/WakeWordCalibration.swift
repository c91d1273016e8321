import AudioDatasets
import AudioIO
import Foundation
import KeywordSpotting
import SpeechSynthesis
import Streaming
import TensorCore
import Voices

/// The last stage of the wake-word recipe (`train-kws --words`): synthesize a calibration stream with held-out (dev)
/// speakers (``StreamCorpusBuilder``), score it once with the trained model, replay the detector's rules to choose
/// each phrase's threshold at the false-accept budget (``KeywordThresholdCalibration``), store the thresholds in the
/// model's `config.json` and the calibrations in `STREAM/calibration.json`.
///
/// ```swift
/// let calibration = WakeWordCalibration(phrases: ["hey jarvis"], engines: ["espeak"], fillers: [], minutes: 10,
///                                       targetFalseAcceptsPerHour: 0.5, seed: 1)
/// let result = try calibration.run(model: "runs/ww/model", streamDirectory: "runs/ww/calibration") { spotter in
///     (try DetectionSettings.defaults(for: spotter), hop: 1_280)
/// }
/// ```
public struct WakeWordCalibration {
    /// The phrases (the model's keywords).
    public var phrases: [String]
    /// Engine families that speak the stream (`EngineFamily` raw values).
    public var engines: [String]
    /// Confusable words and phrase parts said, unlabelled, in the stream.
    public var fillers: [String]
    /// Minutes of the stream.
    public var minutes: Double
    /// False accepts per hour each threshold is calibrated to.
    public var targetFalseAcceptsPerHour: Double
    /// The stream's seed.
    public var seed: UInt64

    public init(phrases: [String], engines: [String], fillers: [String], minutes: Double, targetFalseAcceptsPerHour: Double, seed: UInt64) {
        self.phrases = phrases
        self.engines = engines
        self.fillers = fillers
        self.minutes = minutes
        self.targetFalseAcceptsPerHour = targetFalseAcceptsPerHour
        self.seed = seed
    }

    /// What a calibration found.
    public struct Result: Sendable {
        /// One calibration per phrase.
        public var calibrations: [KeywordThresholdCalibration]
        /// The stream's length (s).
        public var durationSeconds: Double
    }

    /// Builds the stream in `streamDirectory`, scores it with the model at `model`, and stores the thresholds.
    /// - Parameters:
    ///   - rules: the detector's rules and hop (samples) for the loaded spotter (`detect`'s defaults).
    ///   - streamProgress: progress of the stream's synthesis.
    ///   - scoringProgress: (seconds scored, total seconds).
    /// - Throws: `SynthesisError` for an unknown engine, dataset, audio and model errors.
    public func run(
        model: String, streamDirectory: String, rules: (KeywordSpotter) throws -> (settings: DetectionSettings, hop: Int),
        streamProgress: @escaping (CorpusProgress) -> Void = { _ in }, scoringProgress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Result {
        var stream = try StreamCorpusBuilder(words: phrases, minutes: minutes, outputDirectory: streamDirectory,
                                             seed: seed ^ 0xCA11_B8A7E, generator: { SplitMix64(seed: $0) })
        stream.engines = try engines.map { name throws -> EngineFamily in
            guard let family = EngineFamily(rawValue: name) else { throw SynthesisError.unknownEngine(name) }
            return family
        }
        stream.speakerSplit = .dev
        stream.fillers = fillers
        stream.talkerPerSegment = true
        try stream.build(progress: streamProgress)

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
