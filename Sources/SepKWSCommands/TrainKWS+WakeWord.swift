import AudioDatasets
import AudioIO
import CorpusSynthesis
import Evaluation
import Foundation
import KeywordSpotting
import Streaming
import TensorCore
import Training
import Voices

/// `train-kws --words`: the stages around the training loop. Before: synthesize the phrases and their hard negatives
/// into `RUN/data` (``WakeWordCorpusBuilder``) and pick the window length. After: synthesize a calibration stream
/// with held-out (dev) speakers in `RUN/calibration` (`WakeWordCorpusBuilder.calibrationStream`), score it once
/// (``ThresholdCalibration``), replay `detect`'s default rules to choose each phrase's threshold at the false-accept
/// budget (``KeywordThresholdCalibration``), and store the thresholds in `RUN/model/config.json`.
extension TrainKWS {
    /// Default steps of a `--words` run's model (the second round; the first, which only mines, trains a third): the
    /// whole default run takes 40 minutes on two cores (session 30).
    static let wakeWordDefaultSteps = 3_000
    /// Default speakers of a `--words` run's clips: English and accented readers (on two held-out streams, 1,200
    /// clips per phrase by both missed 58-59% at 2 FA/h, by English readers alone 68-80%; session 26).
    static let wakeWordReaders = ReaderSet.both
    /// Default clips per phrase of a `--words` run (400 missed 72-77% at 2 FA/h where 1,200 missed 58-59%).
    static let wakeWordClipsPerPhrase = 1_200
    /// Default minutes of a `--words` run's mining stream (``mineAndTrainAgain(run:settings:wakeWord:stop:)``): an
    /// hour of training speakers gave about 700 windows, and the model trained again with them missed 7-12 points
    /// fewer phrases at 5 and 10 FA/h on three held-out streams, on both training draws (session 28).
    static let wakeWordMiningMinutes = 60.0
    /// Default minutes of a `--words` run's calibration stream: an hour of the fast engines' dev speakers takes about
    /// 2 minutes to synthesize and score, where 10 minutes with Kokoro took 3.5 (a false accept per hour is then a
    /// measurement, not a guess).
    static let wakeWordCalibrationMinutes = 60.0
    /// Default label smoothing of a `--words` run: none, so that a phrase's probability can reach 1 and thresholds
    /// spread out where detection works (with 0.1 it tops out at 0.925, where the phrases and the confusers that beat
    /// them pile up). Same data, seed and steps on the Festival stream, first round: FRR at 5 FA/h 17.7% against 31.4%,
    /// the same at 2 and 10 FA/h (session 30).
    static let wakeWordLabelSmoothing: Float = 0
    /// Default weight-average decay of a `--words` run (its model is the average of about the last 1,000 steps).
    static let wakeWordAverageDecay: Float = 0.999

    /// Synthesizes the training data; returns its folder, the folder of running speech for stream context (nil when a
    /// tiny run has no clean training-split window of it), the window length and the calibration settings.
    /// - Parameter options: `--words`' options (with a settings file's `wake_word` keys filled in).
    func prepareWakeWordData(phrases: [String], options wakeWord: WakeWordOptions, run: String, seed: UInt64, started: Date) throws
        -> (data: String, context: String?, windowSamples: Int, wakeWord: WakeWordSettings) {
        let engines = try wakeWord.engineFamilies()
        let dataDirectory = (run as NSString).appendingPathComponent("data")
        // The window: 1 s, or longer (in quarter seconds, up to 2 s) when a phrase said at espeak-ng's default rate
        // does not fit 85% of it.
        let (windowSamples, longest) = try WakeWordCorpusBuilder<SplitMix64>.window(for: phrases)
        Console.error(String(format: "train-kws: phrases %@; engines %@; window %.2f s (longest phrase %.2f s at the default rate)",
                             phrases.map { "\"\($0)\"" }.joined(separator: ", "), engines.map(\.rawValue).joined(separator: ", "),
                             Double(windowSamples) / 16_000, Double(longest) / 16_000))
        var builder = try WakeWordCorpusBuilder(phrases: phrases, outputDirectory: dataDirectory, seed: seed, generator: SynthOptions.generator)
        builder.engines = engines
        builder.readers = wakeWord.readers ?? Self.wakeWordReaders
        builder.clipSamples = windowSamples
        builder.useRecipe(clipsPerPhrase: wakeWord.clipsPerPhrase ?? Self.wakeWordClipsPerPhrase)
        if let list = wakeWord.wordList { builder.wordList = WordList.load(paths: [list]) }
        builder.examplesDirectory = wakeWord.examples
        builder.negativesDirectory = wakeWord.negatives
        builder.hardNegativesDirectory = wakeWord.hardNegatives
        let contextDirectory = (run as NSString).appendingPathComponent("context-speech")
        builder.contextDirectory = contextDirectory
        let bar = ProgressBar(label: "train-kws: synthesizing", unit: "clips")
        let confusers = try builder.build(progress: { bar.update(done: $0.done, total: $0.total) },
                                          status: { Console.error("train-kws: \($0)") })
        let settings = wakeWord.settings(engines: engines.map(\.rawValue),
                                         fillers: WakeWordCorpusBuilder<SplitMix64>.calibrationFillers(phrases: phrases, confusers: confusers),
                                         preparationSeconds: Date().timeIntervalSince(started))
        let contextFiles = (try? AudioFolder.files(in: contextDirectory)) ?? []
        return (dataDirectory, contextFiles.isEmpty ? nil : contextDirectory, windowSamples, settings)
    }

    /// Calibrates the thresholds of the trained model and prints the report.
    /// - Parameter stages: the seconds of each stage before calibration (in this process), in order, for the report.
    func calibrate(model: String, run: String, settings: KeywordTrainingSettings, wakeWord wake: WakeWordSettings, seed: UInt64,
                   started: Date, stages: [(String, Double)]) throws {
        let phrases = settings.words ?? []
        let streamDirectory = (run as NSString).appendingPathComponent("calibration")
        let engines = WakeWordCorpusBuilder<SplitMix64>.streamEngines(of: try EngineFamily.list(wake.engines.joined(separator: ",")))
        let stream = try WakeWordCorpusBuilder<SplitMix64>.calibrationStream(
            phrases: phrases, engines: engines, fillers: wake.fillers,
            minutes: wake.calibrationMinutes, outputDirectory: streamDirectory, seed: seed, generator: SynthOptions.generator)
        let streamBar = ProgressBar(label: "train-kws: calibration stream", unit: "s")
        _ = try stream.build(progress: { streamBar.update(done: $0.done, total: $0.total) })
        let scoreBar = ProgressBar(label: "train-kws: scoring", unit: "s")
        let result = try ThresholdCalibration(targetFalseAcceptsPerHour: wake.targetFalseAcceptsPerHour).run(
            model: model, audio: (streamDirectory as NSString).appendingPathComponent("stream.wav"),
            labels: (streamDirectory as NSString).appendingPathComponent("labels.csv"),
            report: (streamDirectory as NSString).appendingPathComponent("calibration.json"),
            rules: { try Self.detectRules(model: model, spotter: $0) },
            scoringProgress: { scoreBar.update(done: $0, total: $1) })
        let (calibrations, recorded) = (result.calibrations, result)

        var lines = [String(format: "calibration on %.1f min of synthesized stream (dev-split speakers, confusers, noise, a competing talker), detect's default rules:",
                            recorded.durationSeconds / 60)]
        lines += calibrations.flatMap(\.reportLines)
        let elapsed = Date().timeIntervalSince(started)
        let calibration = max(0, elapsed - stages.map(\.1).reduce(0, +))
        let parts = (stages + [("calibration", calibration)]).map { "\(ProgressBar.duration(max(0, $0.1))) \($0.0)" }
        lines.append("thresholds stored in \(model)/config.json; time: \(ProgressBar.duration(elapsed)) total (\(parts.joined(separator: ", ")))")
        lines.append("try it: arecord -f S16_LE -r 16000 -c 1 | sepkws detect - --model \(model)")
        try Console.line(lines.joined(separator: "\n"))
    }
}
