import ArgumentParser
import AudioDatasets
import AudioIO
import Foundation
import KeywordSpotting
import NN
import TensorCore
import Training

/// The settings of a fine-tuning run (stored in its checkpoint and in `RUN/settings.json`).
struct TrainKWSSettings: Codable {
    var data: String
    var labels: Int
    var initialization: String?
    var labelFraction: Double
    var batchSize: Int
    var learningRate: Float
    var warmupSteps: Int
    var weightDecay: Float
    var labelSmoothing: Float
    var seed: UInt64
    var schedule: TrainingSchedule
    var model: KWSConfiguration
    var augmentation: AugmentationSettings
    var silenceShare: Double
    var unknownShare: Double
    var validationLimit: Int
    /// Folders of running speech for stream-context augmentation (`--context`), or nil.
    var contextFolders: [String]?
    var context: StreamContextSettings?
    /// The encoder's learning rate as a share of the classifier's (`--encoder-learning-rate-scale`; nil: 1; 0: frozen).
    var encoderLearningRateScale: Float?
    /// A Speech Commands folder whose dev split validates the run instead of `data`'s (`--dev-data`): clips of
    /// engine families held out of training, so the model is chosen on voices made in a way it never heard.
    var devData: String?
    /// Custom keywords (`--words`): the labels are these, then `_unknown_` and `_silence_`; nil for Speech Commands.
    var words: [String]?
    /// The wake-word recipe's calibration settings (`--words`).
    var wakeWord: WakeWordSettings?

    enum CodingKeys: String, CodingKey {
        case data, labels, initialization = "init", labelFraction = "label_fraction", batchSize = "batch_size"
        case learningRate = "learning_rate", warmupSteps = "warmup_steps", weightDecay = "weight_decay"
        case labelSmoothing = "label_smoothing", seed, schedule, model, augmentation, silenceShare = "silence_share"
        case unknownShare = "unknown_share", validationLimit = "validation_limit", contextFolders = "context_folders", context
        case encoderLearningRateScale = "encoder_learning_rate_scale", devData = "dev_data", words, wakeWord = "wake_word"
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// The encoder weights and configuration to start fine-tuning from: a pretraining run folder (its checkpoint) or
/// a model folder (`config.json` + `model.safetensors`).
struct InitialEncoder {
    var configuration: KWSConfiguration
    var tensors: [String: Tensor]

    init(path: String) throws {
        if TrainingCheckpoint.exists(in: path) {
            struct ModelOnly: Decodable { var model: KWSConfiguration }
            let state = try TrainingCheckpoint.readState(runDirectory: path)
            configuration = try JSONDecoder().decode(ModelOnly.self, from: Data(state.configuration.utf8)).model
            tensors = try TrainingCheckpoint.modelTensors(runDirectory: path)
        } else {
            let model = try KeywordSpotter.loadModel(directory: path)
            configuration = model.configuration
            tensors = model.stateDict()
        }
    }
}

/// One fine-tuning step: cross-entropy (with label smoothing) of a batch, backward, clipping of the trained
/// (not frozen) parameters' gradients at norm 5, an AdamW update at `learningRate`. Returns `loss`, `accuracy`, `learning_rate`, `grad_norm`.
func fineTuningStep(
    network: KeywordClassifier, optimizer: Adam, features: Tensor, targets: [Int], labelSmoothing: Float, learningRate: Float, dropoutSeed: UInt64
) -> [String: Double] {
    network.setTraining(true)
    let logits = network(features, dropoutSeed: dropoutSeed)
    let loss = Losses.crossEntropy(logits: logits, targets: targets, labelSmoothing: labelSmoothing)
    loss.backward()
    let trained = zip(optimizer.parameters, optimizer.learningRateScales).filter { $0.1 > 0 }.map(\.0)
    let norm = clipGradNorm(trained, maxNorm: 5)
    optimizer.learningRate = learningRate
    optimizer.step()
    optimizer.zeroGrad()
    let correct = zip(logits.detached().argmax(axis: -1), targets).filter { $0 == $1 }.count
    return ["loss": Double(loss.item), "accuracy": Double(correct) / Double(targets.count), "learning_rate": Double(learningRate),
            "grad_norm": Double(norm)]
}

/// `sepkws train-kws`: fine-tunes (or trains from scratch) the keyword classifier on a Speech Commands folder.
struct TrainKWS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-kws",
        abstract: "Train the keyword classifier on a Speech Commands folder (all weights; optionally from a pretrained encoder).",
        discussion: """
            Standard augmentation: background noise from _background_noise_ on 80% of examples at 0-20 dB SNR, speed \
            0.9-1.1, gain +-6 dB, shift +-100 ms; in the 12-class task 10% of each batch is _silence_ (noise crops) and \
            10% _unknown_ (the other words). Validation on the dev split (balanced like the standard test set) keeps the \
            best model in RUN/model. SIGINT or SIGTERM saves a checkpoint and exits with status 0.

            With --context DIR (folders of running speech, no labels needed), examples also look like windows of a \
            live stream: half the keywords get speech before and after them (0.15-0.5 s away, +-6 dB), 20% of \
            examples a competing talker at 0-15 dB SIR, _unknown_ examples are 20% instead of 10%, half of them \
            windows of running speech, and a quarter of all examples are band-limited to 4 kHz (telephone audio, an 8 kHz \
            separator's output). This is what keeps `sepkws detect` quiet on conversation and awake after a sentence.

            With --words "hey jarvis,computer" (no --data): your own wake words from text. Each phrase is synthesized \
            by every installed speech engine (train-split speakers, varied prosody, half with noise) into RUN/data, with \
            hard negatives as _unknown_ (phonetic neighbours from the system word list, parts of the phrase, running \
            speech) and noise as _silence_; the shipped 12-keyword encoder is fine-tuned (--init defaults to it; \
            45% of each batch _unknown_); then a synthesized stream with held-out speakers (RUN/calibration) sets each \
            phrase's threshold to --target-fa-per-hour, stored in RUN/model/config.json, which `detect --model RUN/model` \
            uses. Phrases longer than about 0.85 s get a longer window (up to 2 s).
            """)

    @Option(help: "Speech Commands folder (word folders, validation_list.txt, testing_list.txt, _background_noise_).")
    var data: String?

    @Option(help: "Speech Commands folder whose dev split validates the run (default: --data's), e.g. clips of engine families held out of training (`synth kws --held-out`).")
    var devData: String?

    @Flag(help: "Also augment against synthesizer fingerprints: a room (30%), a random equalizer (80%), band limits (20%), clipping and mu-law, as train-sep --augment.")
    var augment = false

    @Option(help: "Task: 12 (10 words + _unknown_ + _silence_) or 35 (all words).")
    var labels: Int?

    @Option(name: .customLong("init"), help: "Start from a pretraining run folder or a model folder (its encoder; the classifier is new).")
    var initialization: String?

    @Option(help: "Share of the labelled training clips to use, per class (0 < F <= 1).")
    var labelFraction: Double?

    @Option(help: "Label smoothing of the cross-entropy (default 0.1).")
    var labelSmoothing: Float?

    @Option(help: "Folder of running speech (any audio, no labels) for stream-context augmentation; repeatable.")
    var context: [String] = []

    @Option(help: "The encoder's learning rate as a share of the classifier's (default 1; 0 freezes the encoder: a linear probe of --init).")
    var encoderLearningRateScale: Float?

    @OptionGroup var wakeWord: WakeWordOptions
    @OptionGroup var training: TrainingRunOptions
    @OptionGroup var size: ModelSizeOptions
    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        let given = size.given + [("--data", data != nil), ("--labels", labels != nil), ("--init", initialization != nil),
                                  ("--label-fraction", labelFraction != nil), ("--label-smoothing", labelSmoothing != nil),
                                  ("--context", !context.isEmpty), ("--encoder-learning-rate-scale", encoderLearningRateScale != nil),
                                  ("--dev-data", devData != nil), ("--augment", augment), ("--words", wakeWord.words != nil)] + wakeWord.given
        try training.validateRun(otherFixed: given)
        guard training.resume == nil else { return }
        if wakeWord.words != nil {
            if let other = [("--data", data != nil), ("--labels", labels != nil), ("--dev-data", devData != nil), ("--context", !context.isEmpty),
                            ("--label-fraction", labelFraction != nil)].first(where: { $0.1 }) {
                throw ValidationError("\(other.0) does not go with --words (the data is synthesized from the phrases)")
            }
            if initialization == nil, size.given.contains(where: { $0.1 }) {
                throw ValidationError("--words fine-tunes the shipped encoder (or --init's), which fixes the sizes; remove the size options")
            }
        } else {
            guard data != nil else { throw ValidationError("give --data SPEECH_COMMANDS_DIR (or --words \"your phrase\")") }
            guard let labels, labels == 12 || labels == 35 else { throw ValidationError("--labels must be 12 or 35") }
        }
        if let labelFraction, !(labelFraction > 0 && labelFraction <= 1) { throw ValidationError("--label-fraction \(labelFraction): must be in (0, 1]") }
        if let labelSmoothing, !(0..<1).contains(labelSmoothing) { throw ValidationError("--label-smoothing \(labelSmoothing): must be in [0, 1)") }
        if let scale = encoderLearningRateScale, !(0...1).contains(scale) {
            throw ValidationError("--encoder-learning-rate-scale \(scale): must be in [0, 1]")
        }
        if initialization != nil, size.given.contains(where: { $0.1 }) {
            throw ValidationError("--init takes the sizes from the pretrained model; remove the size options")
        }
    }

    func run() throws {
        configureThreads(threading.threads)
        let started = Date()
        var settings: TrainKWSSettings
        var initial: InitialEncoder?
        defer { RunLock.release(runDirectory: training.resume ?? training.out!) }   // taken here or by the runner
        if let resume = training.resume {
            try RunLock.acquire(runDirectory: resume)   // before anything is read: another process may be training it
            let state = try TrainingCheckpoint.readState(runDirectory: resume)
            settings = try JSONDecoder().decode(TrainKWSSettings.self, from: Data(state.configuration.utf8))
        } else {
            let out = training.out!
            if TrainingCheckpoint.exists(in: out) { throw TrainingError.runExists(path: out) }
            let schedule = training.schedule(defaultSteps: wakeWord.words != nil ? Self.wakeWordDefaultSteps : 4000)
            try schedule.validate()
            let phrases = wakeWord.words != nil ? wakeWord.phrases : nil
            let labelSet: KeywordLabelSet = phrases.map { .custom(keywords: $0) } ?? (labels == 35 ? .thirtyFive : .twelve)
            var prepared: (data: String, windowSamples: Int, wakeWord: WakeWordSettings)?
            if let phrases { prepared = try prepareWakeWordData(phrases: phrases, run: out, seed: training.seed ?? 1, started: started) }
            let initialPath = try initialization ?? (phrases != nil ? DefaultModels.keywordSpotterDirectory() : nil)
            var model: KWSConfiguration
            if let initialization = initialPath {
                initial = try InitialEncoder(path: initialization)
                model = initial!.configuration
                model.labels = labelSet.labels
                model.thresholds = nil
            } else {
                model = try size.configuration(labels: labelSet.labels)
            }
            if let prepared { model.frontEnd.clipSamples = prepared.windowSamples }
            settings = TrainKWSSettings(
                data: prepared?.data ?? data!, labels: labelSet.labels.count, initialization: initialPath,
                labelFraction: labelFraction ?? 1,
                batchSize: training.batchSize ?? 64, learningRate: training.learningRate ?? 2e-3, warmupSteps: training.warmup ?? min(200, schedule.totalSteps / 10),
                weightDecay: 0.01, labelSmoothing: labelSmoothing ?? 0.1, seed: training.seed ?? 1, schedule: schedule, model: model,
                augmentation: AugmentationSettings(channel: augment ? SourceAugmentationSettings() : nil), silenceShare: 0.1, unknownShare: phrases != nil ? 0.45 : context.isEmpty ? 0.1 : 0.2, validationLimit: 3000,
                contextFolders: context.isEmpty ? nil : context, context: context.isEmpty ? nil : StreamContextSettings(),
                encoderLearningRateScale: encoderLearningRateScale, devData: devData, words: phrases, wakeWord: prepared?.wakeWord)
        }
        let runDirectory = training.resume ?? training.out!
        let labelSet = settings.labelSet
        let rate = settings.model.frontEnd.sampleRate, length = settings.model.frontEnd.clipSamples

        let dataset = try SpeechCommandsDataset(root: settings.data, labelSet: labelSet, windowSamples: length)
        let trainingSet = try KeywordTrainingSet(
            dataset: dataset, labelFraction: settings.labelFraction, silenceShare: settings.silenceShare, unknownShare: settings.unknownShare,
            seed: settings.seed)
        let bank = try NoiseBank(files: dataset.noiseFiles, sampleRate: rate, minimumLength: length)
        let augmenter = try WaveformAugmenter(settings: settings.augmentation, sampleRate: rate, noises: bank)
        var streamContext: StreamContextAugmenter?
        if let folders = settings.contextFolders, let contextSettings = settings.context {
            let pool = try UnlabeledAudioPool(folders: folders, sampleRate: rate, minimumLength: length)
            streamContext = StreamContextAugmenter(settings: contextSettings, pool: pool)
            Console.error(String(format: "train-kws: stream context from %d files (%.1f min of running speech)", pool.files.count, pool.totalSeconds / 60))
        }
        Console.error("train-kws: \(trainingSet.clipCount) labelled training clips (\(Int(settings.labelFraction * 100))%), \(bank.signals.count) noises")

        if training.resume == nil && initial == nil {
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
        let lrSchedule = WarmupCosineSchedule(
            peak: settings.learningRate, warmupSteps: settings.warmupSteps, totalSteps: max(settings.schedule.totalSteps, settings.warmupSteps + 1),
            minimum: settings.learningRate * 0.02)
        let columns = ["step", "loss", "accuracy", "learning_rate", "grad_norm", "steps_per_second", "dev_loss", "dev_accuracy"]
        let runner = training.resume == nil
            ? try TrainingRunner(starting: runDirectory, model: network, optimizer: optimizer, seed: settings.seed, configuration: settingsJSON, logColumns: columns)
            : try TrainingRunner(resuming: runDirectory, model: network, optimizer: optimizer, logColumns: columns)
        try TrainingCheckpoint.writeAtomically(Data(settingsJSON.utf8), to: (runDirectory as NSString).appendingPathComponent("settings.json"), runDirectory: runDirectory)

        // The dev split, balanced like the standard test set, as features computed once.
        let frontEnd = try LogMelFrontEnd(settings.model.frontEnd)
        let devSet = try settings.devData.map { try SpeechCommandsDataset(root: $0, labelSet: labelSet, windowSamples: length) } ?? dataset
        var balanceGenerator = SplitMix64(seed: KeywordClips.balanceSeed)
        let dev = KeywordClips.balanced(
            try devSet.examples(in: .dev), labelSet: labelSet, limit: settings.validationLimit, using: &balanceGenerator)
        let devFeatures = frontEnd.batch(try dev.map { try KeywordClips.load($0, sampleRate: rate, length: length) })
        let devLabels = dev.map(\.label)
        let modelDirectory = (runDirectory as NSString).appendingPathComponent("model")

        let bar = ProgressBar(label: settings.words != nil ? "train-kws: training" : "train-kws", unit: "steps")
        let stop = StopSignal()
        defer { stop.cancel() }
        Console.error("train-kws: \(network.parameterCount) parameters; \(dev.count) dev examples; \(runner.startStep)/\(settings.schedule.totalSteps) steps done; \(threading.threads) thread(s)")
        let outcome = try runner.run(
            schedule: settings.schedule, stopSignal: stop,
            step: { index, seed in
                var rng = SplitMix64(seed: seed)
                var windows: [[Float]] = [], targets: [Int] = []
                for _ in 0..<settings.batchSize {
                    let draw = trainingSet.draw(using: &rng)
                    if let path = draw.path {
                        let clip = try KeywordClips.load(path: path, cropStart: nil, sampleRate: rate, length: length)
                        var source = clip
                        if let streamContext {
                            source = draw.label == trainingSet.unknownLabel && Double(rng.nextUniform()) < streamContext.settings.runningUnknownShare
                                ? streamContext.runningSpeech(length: length, using: &rng) : streamContext.surround(clip, using: &rng)
                        }
                        var view = try augmenter.view(of: source, center: source.count / 2, length: length, using: &rng)
                        streamContext?.addCompetingTalker(to: &view, using: &rng)
                        try streamContext?.limitBand(&view, using: &rng)
                        windows.append(view)
                    } else {
                        let level = Double(-60 + 40 * rng.nextUniform())
                        var view = SignalLevel.scaled(bank.crop(length: length, using: &rng), toRMS: level)
                        try streamContext?.limitBand(&view, using: &rng)
                        windows.append(view)
                    }
                    targets.append(draw.label)
                }
                return fineTuningStep(
                    network: network, optimizer: optimizer, features: frontEnd.batch(windows), targets: targets,
                    labelSmoothing: settings.labelSmoothing, learningRate: lrSchedule.learningRate(at: index), dropoutSeed: rng.next())
            },
            validate: { _ in
                network.setTraining(false)
                var lossSum = 0.0, correct = 0
                for start in stride(from: 0, to: dev.count, by: 128) {
                    let end = min(dev.count, start + 128)
                    let logits = Autograd.withInferenceMode { network(devFeatures.sliced(axis: 0, start..<end)) }
                    let targets = Array(devLabels[start..<end])
                    lossSum += Double(Losses.crossEntropy(logits: logits, targets: targets, reduction: .sum).item)
                    correct += zip(logits.argmax(axis: -1), targets).filter { $0 == $1 }.count
                }
                let accuracy = Double(correct) / Double(max(dev.count, 1))
                let best = Double(runner.extra["best_dev_accuracy"] ?? "-1") ?? -1
                if accuracy > best {
                    runner.extra["best_dev_accuracy"] = String(accuracy)
                    try KeywordSpotter.save(network, to: modelDirectory, metadata: ["dev_accuracy": String(format: "%.5f", accuracy)])
                }
                return ["dev_loss": lossSum / Double(max(dev.count, 1)), "dev_accuracy": accuracy]
            },
            progress: { p in
                bar.update(done: p.step, total: p.totalSteps, extra: String(format: "loss %.4f acc %.3f  %.2f steps/s", p.metrics["loss"] ?? 0, p.metrics["accuracy"] ?? 0, p.stepsPerSecond))
            })
        try reportOutcome(outcome, command: "train-kws", run: runDirectory)
        if case .finished = outcome, let best = runner.extra["best_dev_accuracy"] {
            try Console.line(String(format: "best dev accuracy %.2f%%; model in %@", (Double(best) ?? 0) * 100, modelDirectory))
            if let wake = settings.wakeWord {
                let trainingSeconds = Date().timeIntervalSince(started) - (training.resume == nil ? wake.preparationSeconds : 0)
                try calibrate(model: modelDirectory, run: runDirectory, settings: settings, wakeWord: wake, seed: settings.seed,
                              started: started, trainingSeconds: trainingSeconds)
            }
        }
    }
}
