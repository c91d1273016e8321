import ArgumentParser
import AudioDatasets
import AudioIO
import CorpusSynthesis
import Foundation
import Streaming
import KeywordSpotting
import NN
import TensorCore
import Training
import Voices

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
            speech) and noise as _silence_; the shipped 1,000-word encoder (kws-words-1000) is fine-tuned (--init defaults to it; \
            45% of each batch _unknown_; --augment and a weight average of decay 0.999 on by default) with stream context from the synthesized running speech of training-split \
            speakers (RUN/context-speech; --context gives other speech). This first round trains a third of the steps \
            (--first-round-steps); its model then mines its own false accepts: it scores a synthesized hour \
            (--mining-minutes) of training-split speakers saying the phrases among sentences and confusers (RUN/mining), \
            the windows where it fires falsely join _unknown_, and the model is trained again from the same encoder for all \
            the steps (RUN/mining/run; its model becomes RUN/model). Last, a synthesized hour of held-out speakers (RUN/calibration) sets each \
            phrase's threshold to --target-fa-per-hour, stored in RUN/model/config.json, which `detect --model RUN/model` \
            uses. Phrases longer than about 0.85 s get a longer window (up to 2 s).
            """)

    @Option(help: ArgumentHelp(
        "Speech Commands folder (word folders, validation_list.txt, testing_list.txt, _background_noise_); repeatable.",
        discussion: "Given again, the folders' splits are joined: e.g. the multi-engine corpus and one of Pico voices."))
    var data: [String] = []

    @Option(help: ArgumentHelp(
        "Engine families whose clips are left out of training, comma-separated (as clips.csv names them).",
        discussion: "A leave-one-family-out run: train on every corpus but family X, score on X's clips."))
    var excludeEngines: String?

    @Option(help: "Speech Commands folder whose dev split validates the run (default: --data's), e.g. clips of engine families held out of training (`synth kws --held-out`).")
    var devData: String?

    @Flag(inversion: .prefixedNo, help: "Also augment against synthesizer fingerprints: a room (30%), a random equalizer (80%), band limits (20%), clipping and mu-law, as train-sep --augment (default: on with --words, else off).")
    var augment: Bool?

    @Flag(help: "SpecAugment: mask 2 bands of up to 10 frames and 2 bands of up to 5 mels of each training window's log-mel.")
    var specAugment = false

    @Option(help: ArgumentHelp(
        "Task: 12 (10 words + _unknown_ + _silence_), 35 (all words) or a file of your own words (one per line or comma-separated).",
        discussion: "With a file the classes are its words, then _unknown_ (every other word folder of --data) and _silence_: e.g. a classifier of a 1,000-word vocabulary whose encoder a wake word then starts from.",
        valueName: "12|35|FILE"))
    var labels: String?

    /// The custom words of `--labels FILE`, nil for `12`, `35` or no `--labels`.
    /// - Throws: `CommandFailure` naming the file when it cannot be read, holds no word or more than a model may have.
    func customLabels() throws -> [String]? {
        guard let labels, labels != "12", labels != "35" else { return nil }
        guard FileManager.default.isReadableFile(atPath: labels) else {
            throw CommandFailure.inputFile(path: labels, reason: "cannot read it (--labels takes 12, 35 or a file of words)")
        }
        let words: [String]
        do { words = try WordList.phrases("@" + labels) } catch { throw CommandFailure.inputFile(path: labels, reason: "no word in it (--labels)") }
        let most = KWSConfiguration.limits.labels - 2
        guard words.count <= most else {
            throw CommandFailure.inputFile(path: labels, reason: "\(words.count) words; a model has at most \(most) (with _unknown_ and _silence_, \(most + 2) classes)")
        }
        return words
    }

    @Option(name: .customLong("init"), help: "Start from a pretraining run folder or a model folder (its encoder; the classifier is new).")
    var initialization: String?

    @Option(help: "Share of the labelled training clips to use, per class (0 < F <= 1).")
    var labelFraction: Double?

    @Option(help: "Label smoothing of the cross-entropy (default 0.1; 0 with --words).")
    var labelSmoothing: Float?

    @Option(help: "Folder of running speech (any audio, no labels) for stream-context augmentation; repeatable.")
    var context: [String] = []

    @Option(help: ArgumentHelp(
        "Stream context's competing talker: the share of training windows that get one, and the lowest and highest signal-to-interference ratio in dB (default 0.2,0,15).",
        valueName: "share,min-db,max-db"))
    var competingTalker: String?

    @Option(help: "The encoder's learning rate as a share of the classifier's (default 1; 0 freezes the encoder: a linear probe of --init).")
    var encoderLearningRateScale: Float?

    @Option(help: "A variational information bottleneck of weight B on the bottleneck (Alemi et al.): training samples it from N(mu, sigma^2) and adds B x KL to N(0, I); inference uses mu. 0: none.")
    var vibBeta: Float?

    @Option(help: "Keep a moving average of the weights with this decay (0.999 averages about the last 1,000 steps; warmed up: step n uses at most (1+n)/(10+n)); validation scores it and RUN/model holds it (default: 0.999 with --words, else none; 0: the raw weights).")
    var averageDecay: Float?

    @OptionGroup var wakeWord: WakeWordOptions
    @OptionGroup var training: TrainingRunOptions
    @OptionGroup var size: ModelSizeOptions
    @OptionGroup var threading: ThreadOptions

    /// The stream-context settings, with `--competing-talker`'s share and ratio range when given.
    /// - Throws: `ValidationError` for a malformed value, a share outside [0, 1] or an unordered range.
    func competingTalkerSettings() throws -> StreamContextSettings {
        var settings = StreamContextSettings()
        guard let competingTalker else { return settings }
        let parts = competingTalker.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let share = parts[0], let low = parts[1], let high = parts[2], low.isFinite, high.isFinite else {
            throw ValidationError("--competing-talker '\(competingTalker)': expected share,min-db,max-db (e.g. 0.35,-5,10)")
        }
        guard (0...1).contains(share), low <= high else {
            throw ValidationError("--competing-talker '\(competingTalker)': the share must be in [0, 1] and min-db at most max-db")
        }
        (settings.competingProbability, settings.competingMinDB, settings.competingMaxDB) = (share, low, high)
        return settings
    }

    mutating func validate() throws {
        let given = size.given + [("--data", !data.isEmpty), ("--exclude-engines", excludeEngines != nil), ("--labels", labels != nil), ("--init", initialization != nil),
                                  ("--label-fraction", labelFraction != nil), ("--label-smoothing", labelSmoothing != nil),
                                  ("--context", !context.isEmpty), ("--competing-talker", competingTalker != nil), ("--encoder-learning-rate-scale", encoderLearningRateScale != nil),
                                  ("--dev-data", devData != nil), ("--augment", augment != nil), ("--spec-augment", specAugment), ("--words", wakeWord.words != nil),
                                  ("--vib-beta", vibBeta != nil), ("--average-decay", averageDecay != nil)] + wakeWord.given
        try training.validateRun(otherFixed: given)
        guard training.resume == nil else { return }
        if wakeWord.words != nil {
            if let other = [("--data", !data.isEmpty), ("--exclude-engines", excludeEngines != nil), ("--labels", labels != nil), ("--dev-data", devData != nil),
                            ("--label-fraction", labelFraction != nil)].first(where: { $0.1 }) {
                throw ValidationError("\(other.0) does not go with --words (the data is synthesized from the phrases)")
            }
            if initialization == nil, size.given.contains(where: { $0.1 }) {
                throw ValidationError("--words fine-tunes the shipped encoder (or --init's), which fixes the sizes; remove the size options")
            }
        } else {
            guard !data.isEmpty || training.settings != nil else { throw ValidationError("give --data SPEECH_COMMANDS_DIR (or --words \"your phrase\")") }
            guard labels != nil || training.settings != nil else { throw ValidationError("give --labels 12, 35 or a file of words") }
            if let labels, labels.allSatisfy(\.isNumber), labels != "12", labels != "35" {
                throw ValidationError("--labels \(labels): give 12, 35 or a file of words")
            }
        }
        if let excludeEngines {
            do { _ = try EngineFamily.list(excludeEngines) } catch { throw ValidationError("--exclude-engines: \(error)") }
        }
        _ = try competingTalkerSettings()
        if competingTalker != nil, context.isEmpty, wakeWord.words == nil, training.settings == nil {
            throw ValidationError("--competing-talker goes with stream context: --context DIR or --words")
        }
        if let labelFraction, !(labelFraction > 0 && labelFraction <= 1) { throw ValidationError("--label-fraction \(labelFraction): must be in (0, 1]") }
        if let vibBeta, !(vibBeta >= 0 && vibBeta <= 1000) { throw ValidationError("--vib-beta \(vibBeta): must be in [0, 1000]") }
        if let averageDecay, !(averageDecay >= 0 && averageDecay < 1) {
            throw ValidationError("--average-decay \(averageDecay): must be at least 0 and below 1 (0.999 averages about the last 1,000 steps)")
        }
        if let labelSmoothing, !(0..<1).contains(labelSmoothing) { throw ValidationError("--label-smoothing \(labelSmoothing): must be in [0, 1)") }
        if let scale = encoderLearningRateScale, !(0...1).contains(scale) {
            throw ValidationError("--encoder-learning-rate-scale \(scale): must be in [0, 1]")
        }
        if initialization != nil, size.given.contains(where: { $0.1 }) {
            throw ValidationError("--init takes the sizes from the pretrained model; remove the size options")
        }
    }

    /// A new run's settings (the options over `--settings FILE` over the defaults) and the encoder it starts from;
    /// with `--words`, the data are synthesized first.
    func newRunSettings(out: String, started: Date, fromFlagsOnly: Bool = false) throws -> (KeywordTrainingSettings, InitialEncoder?) {
        var initial: InitialEncoder?
        let schedule = training.schedule(defaultSteps: wakeWord.words != nil ? Self.wakeWordDefaultSteps : 4000)
        try schedule.validate()
        let phrases = wakeWord.words != nil ? wakeWord.phrases : nil
        // Custom classes: the phrases of --words, or the words of --labels FILE.
        let customWords = try phrases ?? customLabels()
        let labelSet: KeywordLabelSet = customWords.map { .custom(keywords: $0) } ?? (labels == "35" ? .thirtyFive : .twelve)
        // The encoder is found and read before the data stage, so that a missing model fails in a second, not
        // after minutes of synthesis.
        let initialPath = try initialization ?? (phrases != nil ? DefaultModels.wakeWordEncoderDirectory() : nil)
        if let initialPath { initial = try InitialEncoder(path: initialPath) }
        // With a settings file: the defaults this run would have without its options (those of a --words run if it is
        // one), so that the file's values win wherever no option was given.
        let fileDefaults = try fromFlagsOnly ? nil : training.settings.map { file in
            try TrainKWS.parse(["--out", out, "--settings", file] + (wakeWord.words.map { ["--words", $0] } ?? []))
                .newRunSettings(out: out, started: started, fromFlagsOnly: true).0
        }
        var prepared: (data: String, context: String?, windowSamples: Int, wakeWord: WakeWordSettings)?
        if let phrases, !fromFlagsOnly {
            // A settings file is checked before minutes of synthesis (its keys, types and ranges), and its wake_word
            // keys decide what is synthesized where no option was given: the options over the file, as for the run.
            var options = wakeWord
            if let file = training.settings, let fileDefaults {
                let early = try SettingsFile.merged(file: file, flags: newRunSettings(out: out, started: started, fromFlagsOnly: true).0,
                                                    defaults: fileDefaults)
                try early.context?.validate()
                if let wake = early.wakeWord { options = try wakeWord.taking(wake, fromSettingsFile: file) }
            }
            prepared = try prepareWakeWordData(phrases: phrases, options: options, run: out, seed: training.seed ?? 1, started: started)
        }
        var model: KWSConfiguration
        if let initial {
            model = initial.configuration
            model.labels = labelSet.labels
            model.thresholds = nil
        } else {
            model = try size.configuration(labels: labelSet.labels)
        }
        if let prepared { model.frontEnd.clipSamples = prepared.windowSamples }
        model.vibBeta = (vibBeta ?? 0) > 0 ? vibBeta : nil
        // With --words, the synthesized running speech (training-split speakers) is the stream context unless
        // --context gives other speech.
        // (The defaults of a --words run, fromFlagsOnly, have stream context too, so that a settings file can set its keys.)
        let contextFolders = !context.isEmpty ? context : prepared?.context.map { [$0] } ?? (fromFlagsOnly && phrases != nil ? [] : nil)
        var settings = KeywordTrainingSettings(
            data: prepared?.data ?? data.first ?? "", labels: labelSet.labels.count, initialization: initialPath,
            labelFraction: labelFraction ?? 1,
            batchSize: training.batchSize ?? 64, learningRate: training.learningRate ?? 2e-3, warmupSteps: training.warmup ?? min(200, schedule.totalSteps / 10),
            weightDecay: 0.01, labelSmoothing: labelSmoothing ?? (phrases != nil ? Self.wakeWordLabelSmoothing : 0.1), seed: training.seed ?? 1, schedule: schedule, model: model,
            augmentation: AugmentationSettings(channel: (augment ?? (phrases != nil)) ? SourceAugmentationSettings() : nil), silenceShare: 0.1, unknownShare: phrases != nil ? 0.45 : context.isEmpty ? 0.1 : 0.2, validationLimit: 3000,
            contextFolders: contextFolders, context: contextFolders == nil ? nil : try competingTalkerSettings(),
            encoderLearningRateScale: encoderLearningRateScale, devData: devData, words: customWords,
            wakeWord: prepared?.wakeWord ?? (fromFlagsOnly && phrases != nil ? wakeWord.settings() : nil),
            moreData: data.count > 1 ? Array(data.dropFirst()) : nil,
            excludedEngines: try excludeEngines.map { try EngineFamily.list($0).map(\.rawValue) }, averageDecay: averageDecay ?? (phrases != nil ? Self.wakeWordAverageDecay : nil),
            masking: specAugment ? .supervised : nil)
        if let file = training.settings, let fileDefaults {
            settings = try SettingsFile.merged(file: file, flags: settings, defaults: fileDefaults)
            try settings.schedule.validate()
            try settings.context?.validate()
            guard !settings.data.isEmpty else { throw ValidationError("give --data SPEECH_COMMANDS_DIR (or \"data\" in --settings)") }
            guard settings.words != nil || settings.labels == 12 || settings.labels == 35 else {
                throw ValidationError("--settings \(file): \"labels\" must be 12 or 35 (or give \"words\")")
            }
            if settings.model.labels != settings.labelSet.labels { settings.model.labels = settings.labelSet.labels }
            if initial == nil, let path = settings.initialization {
                initial = try InitialEncoder(path: path)
                let labels = settings.model.labels
                settings.model = initial!.configuration
                settings.model.labels = labels
                settings.model.thresholds = nil
            }
        }
        // With mining, the first round's model only mines its false accepts: it trains a third of the steps
        // (--first-round-steps); the second round, whose model is the run's, trains them all.
        if !fromFlagsOnly, var wake = settings.wakeWord, (wake.miningMinutes ?? 0) > 0, wake.secondRoundSteps == nil {
            wake.secondRoundSteps = settings.schedule.totalSteps
            settings.schedule.totalSteps = wakeWord.firstRoundSteps ?? max(1, settings.schedule.totalSteps / 3)
            settings.wakeWord = wake
        }
        return (settings, initial)
    }

    func run() throws {
        threading.apply()
        let started = Date()
        var settings: KeywordTrainingSettings
        var initial: InitialEncoder?
        defer { RunLock.release(runDirectory: training.resume ?? training.out!) }   // taken here or by the runner
        if let resume = training.resume {
            try RunLock.acquire(runDirectory: resume)   // before anything is read: another process may be training it
            settings = try KeywordTrainer.settings(resuming: resume)
        } else {
            let out = training.out!
            if TrainingCheckpoint.exists(in: out) { throw TrainingError.runExists(path: out) }
            (settings, initial) = try newRunSettings(out: out, started: started)
        }
        let runDirectory = training.resume ?? training.out!
        let trainingStarted = Date()
        let trainer = try KeywordTrainer(
            settings: settings, runDirectory: runDirectory, resume: training.resume != nil, initial: initial, log: Console.error)
        settings = trainer.settings
        let modelDirectory = trainer.modelDirectory
        let stop = StopSignal()
        defer { stop.cancel() }
        let outcome = try train(trainer, label: settings.wakeWord != nil ? "train-kws: training" : "train-kws", stop: stop)
        try reportOutcome(outcome, command: "train-kws", run: runDirectory)
        guard case .finished = outcome, let best = trainer.bestDevAccuracy else { return }
        try Console.line(String(format: "best dev accuracy %.2f%%; model in %@", best * 100, modelDirectory))
        guard let wake = settings.wakeWord else { return }
        var stages = [("data", training.resume == nil ? wake.preparationSeconds : 0), ("training", Date().timeIntervalSince(trainingStarted))]
        if (wake.miningMinutes ?? 0) > 0 {
            guard let (mining, again) = try mineAndTrainAgain(run: runDirectory, settings: settings, wakeWord: wake, stop: stop) else { return }
            stages += [("mining", mining), ("training again", again)]
        }
        try calibrate(model: modelDirectory, run: runDirectory, settings: settings, wakeWord: wake, seed: settings.seed, started: started, stages: stages)
    }
}
