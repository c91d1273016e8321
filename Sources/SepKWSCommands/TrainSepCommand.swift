import ArgumentParser
import AudioDatasets
import AudioIO
import Foundation
import NN
import Separation
import TensorCore
import Training

/// `sepkws train-sep`: trains a MossFormer2 separator; resumable, stoppable, logged.
struct TrainSep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-sep",
        abstract: "Train a MossFormer2 separator (negative SI-SNR with PIT, Adam, clipping, LR halving on plateau).",
        discussion: """
            RUN/ receives checkpoint.safetensors (weights, optimizer state, step, settings; written atomically), \
            log.csv (loss, steps/s, validation SI-SNRi) and model/ (config.json + model.safetensors of the best \
            validation so far). SIGINT or SIGTERM saves and exits; `sepkws train-sep --resume RUN` continues exactly \
            where it stopped, and `--resume RUN --steps N` lengthens it. `--init MODEL_DIR` fine-tunes a trained model \
            (a shipped one, or a reference checkpoint) instead of starting from random weights. \
            `--resume RUN --export DIR` writes the checkpoint's weights as a model directory without training.
            """)

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Corpus folders (sepkws synth mixtures, LibriMix or WSJ0-mix layout); the first one's dev split validates.",
        discussion: "With --resume, replaces the run's corpora from then on (for example to add a new pool of voices, or to go on with a corpus rebuilt elsewhere); a new first folder restarts the plateau rule and the best-model record."))
    var data: [String] = []

    @Option(help: "config.json with the model sizes (reference names); default: --init's, else the reference's.")
    var config: String?

    @Option(name: .customLong("init"), help: ArgumentHelp(
        "A model directory (config.json + model.safetensors) whose weights start the run: fine-tuning.",
        discussion: "With --config the sizes must match, except that the config may have more blocks (num_mossformer_layer): the model grows in depth, the extra blocks appended as identities (fresh weights, residual outputs zeroed) that training then fills; its sample rate may differ (8 kHz weights can start a 16 kHz model)."))
    var initialization: String?

    @Option(help: "Run folder to create.")
    var out: String?

    @Option(help: "Continue the run in this folder from its checkpoint.")
    var resume: String?

    @Option(help: ArgumentHelp(
        "A JSON file of a new run's settings (the keys of the run's settings, all optional); options given here override it.",
        discussion: "See docs/COMMANDS.md, \"Settings files\", for the keys."))
    var settings: String?

    @Option(help: ArgumentHelp(
        "With --resume: write the checkpoint's weights (its moving average when the run keeps one) as a model directory (config.json + model.safetensors) and exit without training.",
        discussion: "RUN/model holds the best validation so far; this gives the latest weights, e.g. to score them on the test split. DIR must not exist."))
    var export: String?

    @Option(help: "Optimizer steps in all (default 20000); with --resume, lengthens the run to this many steps.")
    var steps: Int?

    @Option(help: "Mixtures per step (default 4; may change on --resume, e.g. with longer crops).")
    var batchSize: Int?

    @Option(help: "Training crop in seconds (default 2; may change on --resume: longer crops late in a run).")
    var cropSeconds: Double?

    @Option(help: ArgumentHelp(
        "Adam learning rate (default 5e-4; halved after 4 validations without improvement).",
        discussion: "With --resume, replaces the current rate (for example to halve it by hand late in a run); the plateau rule counts afresh from it and keeps its best score."))
    var learningRate: Float?

    @Flag(help: "Use the corpora's fixed mixtures instead of dynamic mixing of their single-talker pools.")
    var fixedMixtures = false

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Flip each training source's sign at random (default: on in new runs; runs from before the option keep it off).",
        discussion: "A recording's polarity is arbitrary; a model trained on one polarity separates the negated mixture by a few dB only. May be turned on or off on --resume."))
    var randomPolarity: Bool?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Augment the training examples against the synthesizers' fingerprints (default: off).",
        discussion: "Speed 0.9-1.1 (pitch and formants) and a random equalizer with tilt on 80% of the sources, a random room (image-source reverberation, RT60 0.1-0.9 s) for 30% of the examples, a band limit at 3.4-8 kHz for 20%, and on the mixture only a gain of ±6 dB, clipping for 10% and 8-bit mu-law for 15%; targets are the reverberant sources. May be turned on or off on --resume; the settings are kept in the checkpoint."))
    var augment: Bool?

    @Option(help: ArgumentHelp(
        "A JSON file of augmentation settings (implies --augment; may replace a run's on --resume).",
        discussion: "snake_case keys, each optional (left out: the default of --augment): speed_probability, speed_min, speed_max, eq_probability, eq_bands, eq_gain_db, eq_q_min, eq_q_max, tilt_db, reverb_probability, room_min_m, room_max_m, rt60_min, rt60_max, reverb_target (reverberant|early), band_limit_probability, band_limit_cutoffs_hz, noise_probability, noise_kinds, noise_snr_min_db, noise_snr_max_db, gain_min_db, gain_max_db, clip_probability, clip_min, clip_max, mu_law_probability. A probability of 0 switches a part off."))
    var augmentation: String?

    @Option(help: "Validate (dev SI-SNRi) every N steps (default 500; kept by --resume unless given again).")
    var validateEvery: Int?

    @Option(help: "Dev mixtures scored at each validation (default 32; may change on --resume, which then restarts the plateau rule and the best-model record).")
    var validationMixtures: Int?

    @Option(help: "Seconds of each dev mixture scored, from its start; 0 scores whole mixtures (default 4; may change on --resume).")
    var validationSeconds: Double?

    @Option(help: ArgumentHelp(
        "Validate and export an exponential moving average of the weights with this decay (e.g. 0.999; default: the raw weights).",
        discussion: "May be turned on or changed on --resume (the average then starts at the current weights, and the plateau rule and the best-model record restart). The log's val_si_snri_raw keeps the raw weights' score."))
    var averageDecay: Float?

    @Option(help: "Checkpoint every N steps: a killed run loses at most this many (default 100; kept by --resume unless given again).")
    var checkpointEvery: Int?

    @Option(help: "Log a row every N steps (default 20; kept by --resume unless given again).")
    var logEvery: Int?

    @Option(help: "Random seed.")
    var seed: UInt64 = 777

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        if let export {
            guard resume != nil else { throw ValidationError("--export DIR needs --resume RUN: the run whose checkpoint to export") }
            guard !FileManager.default.fileExists(atPath: export) else {
                throw ValidationError("--export \(export): already exists; give a new folder")
            }
        }
        if resume == nil {
            guard !data.isEmpty || settings != nil else { throw ValidationError("give --data DIR... (or --resume RUN)") }
            guard out != nil else { throw ValidationError("give --out RUN (or --resume RUN)") }
        } else if out != nil || initialization != nil || config != nil || settings != nil {
            throw ValidationError("--resume RUN takes its model and settings from the run; drop --out, --init, --config and --settings")
        }
        try OptionBounds.check("--steps", steps, 1...100_000_000)
        try OptionBounds.check("--batch-size", batchSize, 1...1_024)
        try OptionBounds.check("--crop-seconds", cropSeconds, 0...60, unit: "s", exclusiveLower: true)
        try OptionBounds.check("--learning-rate", learningRate, 0...1, exclusiveLower: true)
        for (name, value) in [("--validate-every", validateEvery), ("--checkpoint-every", checkpointEvery), ("--log-every", logEvery)] {
            try OptionBounds.check(name, value, 1...100_000_000)
        }
        try OptionBounds.check("--validation-mixtures", validationMixtures, 1...100_000)
        if let averageDecay, !(averageDecay >= 0 && averageDecay < 1) {
            throw ValidationError("--average-decay must be at least 0 and below 1 (0.999 averages about the last 1,000 steps)")
        }
        if let validationSeconds, !(validationSeconds >= 0 && validationSeconds.isFinite) {
            throw ValidationError("--validation-seconds must be 0 (whole mixtures) or positive")
        }
        if augmentation != nil, augment == false {
            throw ValidationError("--augmentation FILE turns augmentation on; drop --no-augment")
        }
        try OptionBounds.check("--validation-seconds", validationSeconds, 0...600, unit: "s")
    }

    /// A new run's settings: the options over `--settings FILE` over the defaults (a resumed run ignores them).
    func newRunSettings(fromFlagsOnly: Bool = false) throws -> SeparationTrainingSettings {
        let configPath = config ?? initialization.map { ModelDirectory($0).configurationPath }
        let model = try configPath.map { try MossFormer2Configuration.load(contentsOf: $0) } ?? MossFormer2Configuration()
        let customAugmentation = try augmentation.map { try SourceAugmentationSettings(contentsOf: $0) }
        let flags = SeparationTrainingSettings(
            model: model, data: data, dynamicMixing: !fixedMixtures, cropSeconds: cropSeconds ?? 2, batchSize: batchSize ?? 4,
            totalSteps: steps ?? 20_000, learningRate: learningRate ?? 5e-4, seed: seed, initialization: initialization,
            averageDecay: averageDecay, randomPolarity: randomPolarity ?? true,
            augmentation: customAugmentation ?? (augment == true ? SourceAugmentationSettings() : nil))
        guard !fromFlagsOnly, resume == nil, let file = settings else { return flags }
        let defaults = try TrainSep.parse(["--out", out ?? "run", "--settings", file]).newRunSettings(fromFlagsOnly: true)
        let merged = try SettingsFile.merged(file: file, flags: flags, defaults: defaults)
        guard !merged.data.isEmpty else { throw ValidationError("give --data DIR... (or \"data\" in --settings)") }
        return merged
    }

    func run() throws {
        threading.apply()
        let runDirectory = resume ?? out!
        if let export {
            let (model, step) = try SeparationTrainer.validatedModel(runDirectory: runDirectory)
            try model.write(directory: export)   // atomically
            try Console.line("\(export): the weights of \(runDirectory) at step \(step)")
            return
        }
        defer { RunLock.release(runDirectory: runDirectory) }   // taken by the trainer, held until the run ends
        if resume == nil {
            if TrainingCheckpoint.exists(in: runDirectory) {
                throw ValidationError("\(runDirectory) already holds a run; use --resume \(runDirectory) or another --out")
            }
            try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        }
        let customAugmentation = try augmentation.map { try SourceAugmentationSettings(contentsOf: $0) }
        let settings = try newRunSettings()
        let newData = resume != nil && !data.isEmpty ? data : nil   // a resumed run's replacement corpora
        let trainer = try SeparationTrainer(settings: settings, runDirectory: runDirectory, resume: resume != nil,
                                            data: newData, validationCount: validationMixtures, validationSeconds: validationSeconds,
                                            totalSteps: resume != nil ? steps : nil, averageDecay: averageDecay,
                                            batch: resume != nil ? (batchSize, cropSeconds) : (nil, nil),
                                            randomPolarity: resume != nil ? randomPolarity : nil,
                                            learningRate: resume != nil ? learningRate : nil,
                                            augment: resume != nil ? augment : nil,
                                            augmentation: resume != nil ? customAugmentation : nil,
                                            intervals: (checkpointEvery ?? (resume == nil ? 100 : nil), logEvery ?? (resume == nil ? 20 : nil),
                                                        validateEvery ?? (resume == nil ? 500 : nil)))
        if let newData {
            try Console.line("\(runDirectory): from step \(trainer.step) on, training on \(newData.joined(separator: ", ")) (dev: \(newData[0]))")
        }
        if let held = trainer.initializedBlocks, held < trainer.settings.model.numMossformerLayer {
            try Console.line("\(initialization ?? ""): \(held) blocks grow to \(trainer.settings.model.numMossformerLayer); blocks \(held + 1)-\(trainer.settings.model.numMossformerLayer) start as identities")
        }
        if let a = trainer.settings.augmentation {
            let parts = [("speed", a.speedProbability), ("equalizer", a.equalizerProbability), ("room", a.reverbProbability),
                         ("band limit", a.bandLimitProbability), ("noise", a.noiseProbability), ("clipping", a.clipProbability),
                         ("mu-law", a.muLawProbability)]
            try Console.line("\(runDirectory): augmenting the training examples (" + parts.map { "\($0.0) \(Int(($0.1 * 100).rounded()))%" }.joined(separator: ", ") + ")")
        }
        let log = try TrainingLog(
            path: (runDirectory as NSString).appendingPathComponent("log.csv"),
            columns: ["step", "loss", "grad_norm", "steps_per_second", "val_si_snri", "learning_rate", "val_si_snri_raw"],
            resumingAt: resume != nil ? trainer.step : nil)
        let stop = StopSignal()
        let loop = TrainingLoop(
            schedule: TrainingSchedule(totalSteps: trainer.settings.totalSteps, logEvery: trainer.settings.logEvery ?? 20,
                                       validateEvery: trainer.settings.validateEvery ?? 500,
                                       checkpointEvery: trainer.settings.checkpointEvery ?? 100),
            stopSignal: stop)
        let bar = ProgressBar(label: "train-sep", unit: "steps")
        // A resumed run keeps RUN/model unless a validation beats the best one before the interruption.
        var best = trainer.bestValidationSISNRi ?? -Double.infinity
        let outcome = try loop.run(
            startStep: trainer.step,
            step: { try trainer.trainStep($0) },
            validate: { _ in
                let metrics = try trainer.validate()
                if let value = metrics["val_si_snri"], value > best {
                    best = value
                    try trainer.withValidatedWeights {
                        try trainer.model.write(directory: (runDirectory as NSString).appendingPathComponent("model"))
                    }
                }
                return metrics
            },
            log: { try log.append($0) },
            checkpoint: { try trainer.saveCheckpoint($0) },
            progress: { p in
                bar.update(done: p.step, total: p.totalSteps,
                           extra: String(format: "loss %.2f %.2f steps/s", p.metrics["loss"] ?? 0, p.stepsPerSecond))
                if let line = p.validationLine { Console.error("train-sep: " + line) }
            })
        switch outcome {
        case .finished(let step): try Console.line("\(runDirectory): finished at step \(step); best dev SI-SNRi \(String(format: "%.2f", best)) dB")
        case .stopped(let step, let signal):
            try Console.line("\(runDirectory): stopped by signal \(signal) at step \(step); resume with sepkws train-sep --resume \(runDirectory)")
        }
    }
}
