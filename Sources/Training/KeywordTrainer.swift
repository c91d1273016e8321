import AudioDatasets
import AudioIO
import Foundation
import KeywordSpotting
import NN
import TensorCore
import Voices

/// The settings of a fine-tuning run (stored in its checkpoint and in `RUN/settings.json`).
public struct KeywordTrainingSettings: Codable, Sendable {
    /// The Speech Commands folder trained on.
    public var data: String
    /// More Speech Commands folders whose splits join `data`'s (`--data` given again), or nil.
    public var moreData: [String]?
    /// Engine families whose clips are left out of the training data (`--exclude-engines`), as the corpora's
    /// `clips.csv` name them: a leave-one-family-out run. Nil: none.
    public var excludedEngines: [String]?
    public var labels: Int
    public var initialization: String?
    public var labelFraction: Double
    public var batchSize: Int
    public var learningRate: Float
    public var warmupSteps: Int
    public var weightDecay: Float
    public var labelSmoothing: Float
    public var seed: UInt64
    public var schedule: TrainingSchedule
    public var model: KWSConfiguration
    public var augmentation: AugmentationSettings
    public var silenceShare: Double
    public var unknownShare: Double
    public var validationLimit: Int
    /// Folders of running speech for stream-context augmentation (`--context`), or nil.
    public var contextFolders: [String]?
    public var context: StreamContextSettings?
    /// The encoder's learning rate as a share of the classifier's (`--encoder-learning-rate-scale`; nil: 1; 0: frozen).
    public var encoderLearningRateScale: Float?
    /// A Speech Commands folder whose dev split validates the run instead of `data`'s (`--dev-data`): clips of
    /// engine families held out of training, so the model is chosen on voices made in a way it never heard.
    public var devData: String?
    /// Custom keywords (`--words`): the labels are these, then `_unknown_` and `_silence_`; nil for Speech Commands.
    public var words: [String]?
    /// The wake-word recipe's calibration settings (`--words`).
    public var wakeWord: WakeWordSettings?
    /// Decay of a moving average of the weights, which validation scores and `RUN/model` exports (`--average-decay`),
    /// or nil for the raw weights.
    public var averageDecay: Float?
    /// SpecAugment masks on each training batch's log-mels (`--spec-augment`), or nil for none.
    public var masking: SpectrogramMasking?

    public init(
        data: String, labels: Int, initialization: String?, labelFraction: Double, batchSize: Int, learningRate: Float, warmupSteps: Int, weightDecay: Float, labelSmoothing: Float, seed: UInt64, schedule: TrainingSchedule, model: KWSConfiguration, augmentation: AugmentationSettings, silenceShare: Double, unknownShare: Double, validationLimit: Int, contextFolders: [String]?, context: StreamContextSettings?, encoderLearningRateScale: Float?, devData: String?, words: [String]?, wakeWord: WakeWordSettings?, moreData: [String]? = nil, excludedEngines: [String]? = nil, averageDecay: Float? = nil,
        masking: SpectrogramMasking? = nil
    ) {
        self.data = data
        self.moreData = moreData
        self.excludedEngines = excludedEngines
        self.labels = labels
        self.initialization = initialization
        self.labelFraction = labelFraction
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
        self.weightDecay = weightDecay
        self.labelSmoothing = labelSmoothing
        self.seed = seed
        self.schedule = schedule
        self.model = model
        self.augmentation = augmentation
        self.silenceShare = silenceShare
        self.unknownShare = unknownShare
        self.validationLimit = validationLimit
        self.contextFolders = contextFolders
        self.context = context
        self.encoderLearningRateScale = encoderLearningRateScale
        self.devData = devData
        self.words = words
        self.wakeWord = wakeWord
        self.averageDecay = averageDecay
        self.masking = masking
    }

    enum CodingKeys: String, CodingKey {
        case data, moreData = "more_data", excludedEngines = "excluded_engines", labels, initialization = "init", labelFraction = "label_fraction", batchSize = "batch_size"
        case learningRate = "learning_rate", warmupSteps = "warmup_steps", weightDecay = "weight_decay"
        case labelSmoothing = "label_smoothing", seed, schedule, model, augmentation, silenceShare = "silence_share"
        case unknownShare = "unknown_share", validationLimit = "validation_limit", contextFolders = "context_folders", context
        case encoderLearningRateScale = "encoder_learning_rate_scale", devData = "dev_data", words, wakeWord = "wake_word"
        case averageDecay = "average_decay", masking = "spec_augment"
    }

    /// The settings as pretty-printed JSON (sorted keys), as stored in the checkpoint and `RUN/settings.json`.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// What `train-kws --words` needs besides the training settings (stored in the run's settings, so that a resumed
/// run calibrates the same way).
public struct WakeWordSettings: Codable, Sendable {
    /// Engine families that spoke the training data (and speak the calibration stream).
    public var engines: [String]
    /// False accepts per hour each phrase's threshold is calibrated to.
    public var targetFalseAcceptsPerHour: Double
    /// Minutes of the calibration stream.
    public var calibrationMinutes: Double
    /// Confusable words and phrase parts said (unlabelled) in the calibration stream.
    public var fillers: [String]
    /// Seconds the run took before training (data synthesis), for the final report.
    public var preparationSeconds: Double
    /// Minutes of the stream of training speakers whose false accepts are mined for a second round of training
    /// (`RUN/mining`); nil or 0: one round (runs made before mining was a stage read as nil).
    public var miningMinutes: Double?
    /// Lowest smoothed score of a mined false-accept peak (nil: ``HardNegativeMining``'s default, 0.5).
    public var miningThreshold: Float?
    /// Steps of the second round (from the run's initial encoder, as the first round, whose model only mines and may
    /// train for fewer steps); nil: the first round's schedule again (runs made before this setting).
    public var secondRoundSteps: Int?

    public init(engines: [String], targetFalseAcceptsPerHour: Double, calibrationMinutes: Double, fillers: [String], preparationSeconds: Double,
                miningMinutes: Double? = nil, miningThreshold: Float? = nil, secondRoundSteps: Int? = nil) {
        self.engines = engines
        self.miningMinutes = miningMinutes
        self.miningThreshold = miningThreshold
        self.secondRoundSteps = secondRoundSteps
        self.targetFalseAcceptsPerHour = targetFalseAcceptsPerHour
        self.calibrationMinutes = calibrationMinutes
        self.fillers = fillers
        self.preparationSeconds = preparationSeconds
    }

    enum CodingKeys: String, CodingKey {
        case engines, targetFalseAcceptsPerHour = "target_fa_per_hour", calibrationMinutes = "calibration_minutes", fillers
        case preparationSeconds = "preparation_seconds", miningMinutes = "mining_minutes", miningThreshold = "mining_threshold"
        case secondRoundSteps = "second_round_steps"
    }
}

extension KeywordTrainingSettings {
    /// The task: custom keywords (`--words`), or the 12- or 35-class Speech Commands task.
    public var labelSet: KeywordLabelSet {
        if let words { return .custom(keywords: words) }
        return labels == 35 ? .thirtyFive : .twelve
    }
}

/// Fine-tunes (or trains from scratch) the keyword classifier on a Speech Commands folder (`sepkws train-kws`):
/// augmented 1 s windows (noise, speed, gain, shift; optionally stream context and channel augmentation),
/// cross-entropy with label smoothing, AdamW with warm-up and cosine decay (the encoder's rate scaled or frozen),
/// optionally a moving average of the weights, validation on the balanced dev split keeping the best model in
/// `RUN/model`, checkpoints through
/// ``TrainingRunner``.
///
/// Determinism: step `i` draws its batch from a generator seeded by the runner for step `i`, so a resumed run
/// repeats the uninterrupted run's steps bit for bit.
///
/// ```swift
/// let trainer = try KeywordTrainer(settings: settings, runDirectory: "runs/kws", resume: false)
/// if case .finished = try trainer.run(stopSignal: StopSignal()) { print(trainer.bestDevAccuracy ?? 0) }
/// ```
public final class KeywordTrainer {
    /// The run's settings, with the model's input normalization measured (a new run from scratch) or as given.
    public let settings: KeywordTrainingSettings
    /// The run folder.
    public let runDirectory: String
    /// Where the best model so far is written (`RUN/model`).
    public let modelDirectory: String
    /// The classifier being trained.
    public let network: KeywordClassifier
    /// The checkpointing runner.
    public let runner: TrainingRunner
    /// Dev examples validated on.
    public var devCount: Int { devLabels.count }
    private let optimizer: Adam
    private let schedule: WarmupCosineSchedule
    private let batches: KeywordBatchSource
    private let devFeatures: Tensor
    private let devLabels: [Int]

    /// The settings stored in a run folder's checkpoint.
    /// - Throws: ``TrainingError`` if the folder holds no readable run.
    public static func settings(resuming runDirectory: String) throws -> KeywordTrainingSettings {
        let state = try TrainingCheckpoint.readState(runDirectory: runDirectory)
        return try JSONDecoder().decode(KeywordTrainingSettings.self, from: Data(state.configuration.utf8))
    }

    /// Loads the dataset, noise and context, measures the input normalization (a new run without `initial`), and
    /// starts or resumes the run in `runDirectory` (`settings.json` written); the dev split's features are computed once.
    /// - Parameters:
    ///   - settings: the run's settings (a resumed run passes its checkpoint's, ``settings(resuming:)``).
    ///   - resume: continue from the folder's checkpoint.
    ///   - initial: the encoder to start from (a new run), or nil.
    ///   - log: receives progress lines (`train-kws: ...`).
    /// - Throws: `KeywordSpottingError` for an impossible model configuration, ``TrainingError``, `DatasetError`, `AudioIOError` naming what is wrong.
    public init(
        settings: KeywordTrainingSettings, runDirectory: String, resume: Bool, initial: InitialEncoder? = nil,
        log: (String) -> Void = { _ in }
    ) throws {
        var settings = settings
        self.runDirectory = runDirectory
        // A model that could not be loaded again fails here, not after hours of training.
        try settings.model.validate()
        let labelSet = settings.labelSet
        let rate = settings.model.frontEnd.sampleRate, length = settings.model.frontEnd.clipSamples

        let batches = try KeywordBatchSource(settings: settings, log: log)
        let (dataset, trainingSet, bank) = (batches.dataset, batches.trainingSet, batches.bank)

        if !resume && initial == nil {
            var statsRNG = SplitMix64(seed: settings.seed ^ 0x5354_4154)
            let windows = try (0..<256).map { _ -> [Float] in
                let draw = trainingSet.draw(using: &statsRNG)
                guard let path = draw.path else { return bank.crop(length: length, using: &statsRNG) }
                return try KeywordClips.load(path: path, cropStart: nil, sampleRate: rate, length: length)
            }
            let stats = try logMelStatistics(windows, frontEnd: settings.model.frontEnd)
            settings.model.inputMean = stats.mean
            settings.model.inputStd = stats.std
        }
        let settingsJSON = settings.json()

        let network = KeywordClassifier(configuration: settings.model, seed: settings.seed)
        if let initial { try network.loadEncoder(from: initial.tensors) }
        let optimizer = Adam.adamW(parameters: network.namedParameters(), learningRate: settings.learningRate, weightDecay: settings.weightDecay)
        if let scale = settings.encoderLearningRateScale { optimizer.setLearningRateScale(scale, where: { $0.hasPrefix("encoder.") }) }
        schedule = WarmupCosineSchedule(
            peak: settings.learningRate, warmupSteps: settings.warmupSteps, totalSteps: max(settings.schedule.totalSteps, settings.warmupSteps + 1),
            minimum: settings.learningRate * 0.02)
        let columns = ["step", "loss", "accuracy", "learning_rate", "grad_norm", "steps_per_second", "dev_loss", "dev_accuracy"]
        runner = !resume
            ? try TrainingRunner(starting: runDirectory, model: network, optimizer: optimizer, seed: settings.seed, configuration: settingsJSON, logColumns: columns)
            : try TrainingRunner(resuming: runDirectory, model: network, optimizer: optimizer, logColumns: columns)
        if let decay = settings.averageDecay {
            guard decay >= 0 && decay < 1 else {
                throw TrainingError.invalidOption(name: "--average-decay", value: "\(decay)", reason: "must be at least 0 and below 1")
            }
            try runner.keepWeightAverage(decay: decay)
        }
        try TrainingCheckpoint.writeAtomically(Data(settingsJSON.utf8), to: (runDirectory as NSString).appendingPathComponent("settings.json"), runDirectory: runDirectory)

        // The dev split, balanced like the standard test set, as features computed once.
        let frontEnd = try LogMelFrontEnd(settings.model.frontEnd)
        let devSet = try settings.devData.map { try SpeechCommandsDataset(root: $0, labelSet: labelSet, windowSamples: length) } ?? dataset
        var balanceGenerator = SplitMix64(seed: KeywordClips.balanceSeed)
        let dev = KeywordClips.balanced(
            try devSet.examples(in: .dev), labelSet: labelSet, limit: settings.validationLimit, using: &balanceGenerator)
        let devFeatures = frontEnd.batch(try dev.map { try KeywordClips.load($0, sampleRate: rate, length: length) })
        let devLabels = dev.map(\.label)
        modelDirectory = (runDirectory as NSString).appendingPathComponent("model")

        self.settings = settings
        self.network = network
        self.optimizer = optimizer
        self.batches = batches
        self.devFeatures = devFeatures
        self.devLabels = devLabels
    }

    /// The best dev accuracy validated so far (kept across resumes), or nil before the first validation.
    public var bestDevAccuracy: Double? { runner.extra["best_dev_accuracy"].flatMap(Double.init) }

    /// Trains from the runner's step to the end of the schedule, or until `stopSignal` (then a checkpoint is saved).
    /// - Parameter progress: called after every step.
    /// - Returns: how the run ended.
    /// - Throws: I/O errors of the data, checkpoints, log and model export.
    public func run(stopSignal: StopSignal, progress: (TrainingProgress) -> Void = { _ in }) throws -> TrainingOutcome {
        let (settings, network, optimizer, schedule, runner) = (settings, network, optimizer, schedule, runner)
        let batches = batches
        let (devFeatures, devLabels, modelDirectory) = (devFeatures, devLabels, modelDirectory)
        let devCount = devLabels.count
        return try runner.run(
            schedule: settings.schedule, stopSignal: stopSignal,
            step: { index, seed in
                var rng = SplitMix64(seed: seed)
                let (features, targets) = try batches.batch(size: settings.batchSize, using: &rng)
                settings.masking?.apply(to: features, fill: settings.model.inputMean, using: &rng)
                return fineTuningStep(
                    network: network, optimizer: optimizer, features: features, targets: targets,
                    labelSmoothing: settings.labelSmoothing, learningRate: schedule.learningRate(at: index), dropoutSeed: rng.next())
            },
            validate: { _ in try runner.withValidatedWeights {
                network.setTraining(false)
                var lossSum = 0.0, correct = 0
                for start in stride(from: 0, to: devCount, by: 128) {
                    let end = min(devCount, start + 128)
                    let logits = Autograd.withInferenceMode { network(devFeatures.sliced(axis: 0, start..<end)) }
                    let targets = Array(devLabels[start..<end])
                    lossSum += Double(Losses.crossEntropy(logits: logits, targets: targets, reduction: .sum).item)
                    correct += zip(logits.argmax(axis: -1), targets).filter { $0 == $1 }.count
                }
                let accuracy = Double(correct) / Double(max(devCount, 1))
                let best = Double(runner.extra["best_dev_accuracy"] ?? "-1") ?? -1
                if accuracy > best {
                    runner.extra["best_dev_accuracy"] = String(accuracy)
                    try KeywordSpotter.save(network, to: modelDirectory, metadata: ["dev_accuracy": String(format: "%.5f", accuracy)])
                }
                return ["dev_loss": lossSum / Double(max(devCount, 1)), "dev_accuracy": accuracy]
            } },
            progress: progress)
    }
}
