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

/// `train-kws --words`, the mining stage between training and calibration (``WakeWordSettings/miningMinutes``):
/// the trained model scores a synthesized stream of training-split speakers saying the phrases among sentences and
/// confusers (`RUN/mining/stream`), the windows where it fires falsely are mined (`RUN/mining/hard`, with `mined.csv`
/// written last), added to the run's data as `_unknown_` (`RUN/data/unknown-hard`), and the model is trained again
/// from the same encoder with the same settings (`RUN/mining/run`) but for ``WakeWordSettings/secondRoundSteps``
/// steps (the first round, which only mines, may be shorter). Its model then becomes `RUN/model`; the first one is
/// kept in `RUN/mining/first-model`.
///
/// Every step is resumable (`train-kws --resume RUN`): a finished stream, a finished mining and a checkpoint of the
/// second round are found and used; the swap of the models is two renames, the second redone if a kill falls
/// between them.
extension TrainKWS {
    /// Where the mining stage keeps its parts.
    struct MiningFolders {
        let run: String
        var root: String { (run as NSString).appendingPathComponent("mining") }
        var stream: String { (root as NSString).appendingPathComponent("stream") }
        var hard: String { (root as NSString).appendingPathComponent("hard") }
        var secondRun: String { (root as NSString).appendingPathComponent("run") }
        var firstModel: String { (root as NSString).appendingPathComponent("first-model") }
        var model: String { (run as NSString).appendingPathComponent("model") }
        var secondModel: String { (secondRun as NSString).appendingPathComponent("model") }
    }

    /// Runs the mining stage of a finished first round (resuming whatever part is done).
    /// - Returns: the seconds spent mining and training again, or nil when a signal stopped the second round (its
    ///   checkpoint is saved; `--resume RUN` continues).
    func mineAndTrainAgain(run: String, settings: KeywordTrainingSettings, wakeWord wake: WakeWordSettings, stop: StopSignal) throws
        -> (mining: Double, training: Double)? {
        let folders = MiningFolders(run: run)
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: folders.firstModel) {
            // Swapped already, or killed between the two renames.
            if !fileManager.fileExists(atPath: folders.model) { try fileManager.moveItem(atPath: folders.secondModel, toPath: folders.model) }
            return (0, 0)
        }
        let started = Date()
        let minedTable = (folders.hard as NSString).appendingPathComponent(HardNegativeMining.tableName)
        if !fileManager.fileExists(atPath: minedTable) {
            let labels = (folders.stream as NSString).appendingPathComponent("labels.csv")
            if !fileManager.fileExists(atPath: labels) {
                let engines = WakeWordCorpusBuilder<SplitMix64>.streamEngines(of: try EngineFamily.list(wake.engines.joined(separator: ",")))
                Console.error(String(format: "train-kws: mining: %.0f min of training speakers (%@) saying the phrases among sentences and confusers",
                                     wake.miningMinutes ?? 0, engines.map(\.rawValue).joined(separator: ", ")))
                let stream = try WakeWordCorpusBuilder<SplitMix64>.miningStream(
                    phrases: settings.words ?? [], engines: engines, fillers: wake.fillers, minutes: wake.miningMinutes ?? 0,
                    outputDirectory: folders.stream, seed: settings.seed, generator: SynthOptions.generator)
                let bar = ProgressBar(label: "train-kws: mining stream", unit: "s")
                _ = try stream.build(progress: { bar.update(done: $0.done, total: $0.total) })
            }
            let bar = ProgressBar(label: "train-kws: mining", unit: "s")
            var mining = HardNegativeMining()
            if let threshold = wake.miningThreshold { mining.threshold = threshold }
            let windows = try mining.mine(
                model: folders.model, audio: (folders.stream as NSString).appendingPathComponent("stream.wav"), labels: labels,
                to: folders.hard, rules: { try Self.detectRules(model: folders.model, spotter: $0) },
                scoringProgress: { bar.update(done: $0, total: $1) })
            Console.error("train-kws: " + HardNegativeMining.summary(windows, threshold: mining.threshold, directory: folders.hard))
        }
        let minedCount = try CSVTable(path: minedTable).rows.count
        guard minedCount > 0 else {
            Console.error("train-kws: the model fired on nothing but the phrases: no second round")
            return (Date().timeIntervalSince(started), 0)
        }

        // The second round: the same settings and encoder, the mined windows in the data.
        let resuming = TrainingCheckpoint.exists(in: folders.secondRun)
        var again = settings
        again.wakeWord?.miningMinutes = 0
        if let steps = wake.secondRoundSteps { again.schedule.totalSteps = steps }
        var initial: InitialEncoder?
        if !resuming {
            let frontEnd = settings.model.frontEnd
            Console.error("train-kws: " + (try WakeWordCorpusBuilder<SplitMix64>.addHardNegatives(
                from: folders.hard, toCorpus: settings.data, clipSamples: frontEnd.clipSamples, sampleRate: frontEnd.sampleRate)))
            try fileManager.createDirectory(atPath: folders.secondRun, withIntermediateDirectories: true)
            initial = try settings.initialization.map { try InitialEncoder(path: $0) }
        }
        defer { RunLock.release(runDirectory: folders.secondRun) }
        let miningSeconds = Date().timeIntervalSince(started)
        let trainingStarted = Date()
        let trainer = try KeywordTrainer(settings: again, runDirectory: folders.secondRun, resume: resuming, initial: initial, log: Console.error)
        let outcome = try train(trainer, label: "train-kws: training again", stop: stop)
        guard case .finished = outcome else {
            try reportOutcome(outcome, command: "train-kws", run: run)
            return nil
        }
        try Console.line(String(format: "second round (with %d mined windows): best dev accuracy %.2f%%", minedCount,
                                (trainer.bestDevAccuracy ?? 0) * 100))
        try fileManager.moveItem(atPath: folders.model, toPath: folders.firstModel)
        try fileManager.moveItem(atPath: folders.secondModel, toPath: folders.model)
        return (miningSeconds, Date().timeIntervalSince(trainingStarted))
    }

    /// Trains `trainer` to the end of its schedule (or a signal) with a progress bar.
    func train(_ trainer: KeywordTrainer, label: String, stop: StopSignal) throws -> TrainingOutcome {
        let bar = ProgressBar(label: label, unit: "steps")
        Console.error("train-kws: \(trainer.network.parameterCount) parameters; \(trainer.devCount) dev examples; \(trainer.runner.startStep)/\(trainer.settings.schedule.totalSteps) steps done; \(threading.threads) thread(s)")
        return try trainer.run(stopSignal: stop) { p in
            bar.update(done: p.step, total: p.totalSteps, extra: String(format: "loss %.4f acc %.3f  %.2f steps/s", p.metrics["loss"] ?? 0, p.metrics["accuracy"] ?? 0, p.stepsPerSecond))
            if let line = p.validationLine { Console.error("train-kws: " + line) }
        }
    }

    /// `detect`'s default rules and hop for the model at `model`.
    static func detectRules(model: String, spotter: KeywordSpotter) throws -> (settings: DetectionSettings, hop: Int) {
        var options = try DetectionOptions.parse([])
        options.model = model
        return (try options.settings(for: spotter), options.hop(for: spotter))
    }
}
