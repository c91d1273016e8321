import ArgumentParser
import AudioDatasets
import AudioIO
import Foundation
import KeywordSpotting
import NN
import TensorCore
import Training

/// Options every trainer shares: the run folder, the loop's intervals and the optimizer. All are optional so that
/// `--resume` can tell which ones were given (a resumed run takes its settings from the run folder).
struct TrainingRunOptions: ParsableArguments {
    @Option(help: "Run folder to create (checkpoint.safetensors, log.csv, settings.json, model/).")
    var out: String?

    @Option(help: "Continue the run in this folder exactly where its last checkpoint left it.")
    var resume: String?

    @Option(help: ArgumentHelp(
        "A JSON file of the run's settings (the keys of RUN/settings.json, all optional); options given here override it.",
        discussion: "See docs/COMMANDS.md, \"Settings files\", for the keys."))
    var settings: String?

    @Option(help: "Total optimizer steps.")
    var steps: Int?

    @Option(help: "Examples (or view pairs) per step.")
    var batchSize: Int?

    @Option(help: "Peak learning rate of AdamW (linear warm-up, cosine decay).")
    var learningRate: Float?

    @Option(help: "Warm-up steps.")
    var warmup: Int?

    @Option(help: "Random seed of the run (weights, data order, augmentation).")
    var seed: UInt64?

    @Option(help: "Steps between CSV log rows (default 25).")
    var logEvery: Int?

    @Option(help: "Steps between validations (default 250).")
    var validateEvery: Int?

    @Option(help: "Steps between checkpoints: a killed run loses at most this many (default 100).")
    var checkpointEvery: Int?

    @Option(help: "Steps between weight snapshots RUN/snapshots/step-NNNNNN.safetensors (also at step 0 and the last step), for `sepkws info-plane` (default: none).")
    var snapshotEvery: Int?

    /// The options that a resumed run takes from its folder.
    var fixedByRun: [(String, Bool)] {
        [("--steps", steps != nil), ("--batch-size", batchSize != nil), ("--learning-rate", learningRate != nil),
         ("--warmup", warmup != nil), ("--seed", seed != nil), ("--log-every", logEvery != nil),
         ("--validate-every", validateEvery != nil), ("--checkpoint-every", checkpointEvery != nil), ("--snapshot-every", snapshotEvery != nil)]
    }

    func validateRun(otherFixed: [(String, Bool)]) throws {
        switch (out, resume) {
        case (nil, nil): throw ValidationError("give --out RUN for a new run or --resume RUN to continue one")
        case (.some, .some): throw ValidationError("give either --out or --resume, not both")
        case (.some(let out), nil):
            let parent = URL(fileURLWithPath: out).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--out \(out): the folder \(parent) does not exist")
            }
        case (nil, .some):
            if settings != nil { throw ValidationError("--settings is for a new run; a resumed run takes its settings from the run folder") }
            if let given = (fixedByRun + otherFixed).first(where: { $0.1 }) {
                throw ValidationError("\(given.0) is fixed by the run being resumed; remove it (only --threads may change)")
            }
        }
        for (name, value) in [("--steps", steps), ("--log-every", logEvery), ("--checkpoint-every", checkpointEvery), ("--snapshot-every", snapshotEvery)] {
            try OptionBounds.check(name, value, 1...100_000_000)
        }
        try OptionBounds.check("--batch-size", batchSize, 1...4_096)
        try OptionBounds.check("--warmup", warmup, 0...100_000_000)
        try OptionBounds.check("--validate-every", validateEvery, 0...100_000_000)
        if let learningRate, !(learningRate > 0 && learningRate < 1) { throw ValidationError("--learning-rate \(learningRate): must be in (0, 1)") }
    }

    func schedule(defaultSteps: Int) -> TrainingSchedule {
        TrainingSchedule(totalSteps: steps ?? defaultSteps, logEvery: logEvery ?? 25, validateEvery: validateEvery ?? 250,
                         checkpointEvery: checkpointEvery ?? 100, snapshotEvery: snapshotEvery)
    }
}

/// Encoder sizes (override the defaults or a `--config` file).
struct ModelSizeOptions: ParsableArguments {
    @Option(help: "A KWS config.json to take the sizes and front end from (labels are replaced).")
    var config: String?

    @Option(help: "Channels of the two convolutions (width = channels x 10 for 40 mels; default 16).")
    var convChannels: Int?

    @Option(help: "Transformer layers (default 2).")
    var layers: Int?

    @Option(help: "Attention heads (default 4).")
    var heads: Int?

    @Option(help: "Transformer feed-forward width (default 320).")
    var ffnDim: Int?

    @Option(help: "Bottleneck width (default 256; the paper: 800).")
    var bottleneckDim: Int?

    @Option(help: "How the Transformer's tokens feed the bottleneck: last_frames (the last 2, concatenated; the paper's) or mean (of all tokens). Default last_frames.")
    var readout: KWSReadout?

    @Flag(help: "The paper's sizes: 32 channels (width 320), FFN 1280, bottleneck 800.")
    var paperSize = false

    mutating func validate() throws {
        let limits = KWSConfiguration.limits
        try OptionBounds.check("--conv-channels", convChannels, 1...limits.convChannels)
        try OptionBounds.check("--layers", layers, 0...limits.layers)
        try OptionBounds.check("--heads", heads, 1...limits.heads)
        try OptionBounds.check("--ffn-dim", ffnDim, 1...limits.width)
        try OptionBounds.check("--bottleneck-dim", bottleneckDim, 1...limits.width)
    }

    var given: [(String, Bool)] {
        [("--config", config != nil), ("--conv-channels", convChannels != nil), ("--layers", layers != nil), ("--heads", heads != nil),
         ("--ffn-dim", ffnDim != nil), ("--bottleneck-dim", bottleneckDim != nil), ("--readout", readout != nil),
         ("--paper-size", paperSize)]
    }

    /// The configuration for `labels`, validated.
    func configuration(labels: [String]) throws -> KWSConfiguration {
        var c = paperSize ? KWSConfiguration.paper(labels: labels) : KWSConfiguration(labels: labels)
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else { throw ValidationError("--config \(config): no such file") }
            c = try KWSConfiguration.decode(data, path: config)
            c.labels = labels
        }
        if let convChannels {
            c.convChannels = convChannels
            if convChannels % c.normGroups != 0 { c.normGroups = 1 }
        }
        if let layers { c.layers = layers }
        if let heads { c.heads = heads }
        if let ffnDim { c.feedForwardDimension = ffnDim }
        if let bottleneckDim { c.bottleneckDimension = bottleneckDim }
        if let readout { c.readout = readout }
        do { try c.validate() } catch { throw ValidationError(error.description) }
        return c
    }
}

/// Prints how a run ended and what to do next.
func reportOutcome(_ outcome: TrainingOutcome, command: String, run: String) throws {
    switch outcome {
    case .finished(let step):
        try Console.line("\(run): finished at step \(step)")
    case .stopped(let step, let signal):
        let name = signal == SIGTERM ? "SIGTERM" : signal == SIGINT ? "SIGINT" : "signal \(signal)"
        Console.error("\(name): saved the checkpoint at step \(step) in \(run); continue with: sepkws \(command) --resume \(run)")
    }
}

/// `sepkws pretrain`: label-free pretraining of the keyword encoder on folders of audio (masked-frame reconstruction by default).
struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pretrain the keyword encoder without labels on folders of audio (masked views of 1 s crops).",
        discussion: """
            Every audio file under the --unlabeled folders (any format and rate; resampled to 16 kHz, mixed to mono) is \
            loaded; each step draws 1 s crops (silent crops are skipped) and makes two views of each (speed 0.9-1.1, \
            gain +-6 dB, noise at 0-20 dB SNR on 80%, shift +-100 ms), whose log-mels are masked (8 time bands of up to \
            20 frames, 2 mel bands of up to 6 bins). By default each Transformer token learns to reconstruct the \
            unmasked frames it covers (masked-frame reconstruction). The CAB-KWS losses (bottleneck invariance, \
            time-averaged reconstruction, NT-Xent) are available by weight: --invariance-weight 0.8 \
            --reconstruction-weight 0.05 --contrastive-weight 1 --masked-frames-weight 0 is the paper's mix; on our \
            keyword audio it made fine-tuning worse, and adding it to masked-frame reconstruction did too. \
            With --neighbor-pairs K, the second view of each pair is a crop of one of the clip's K nearest acoustic \
            neighbours (found without labels), so NT-Xent learns what two clips of one word share: --neighbor-pairs 3 \
            --contrastive-weight 1 --masked-frames-weight 0 --time-masks 2 --max-mask-frames 10 --readout mean, then \
            train-kws --encoder-learning-rate-scale 0, is the best recipe measured with 1% of the labels. \
            SIGINT or SIGTERM saves a checkpoint and exits with status 0; --resume RUN continues exactly.
            """)

    @Option(parsing: .upToNextOption, help: "Folders (or files) of unlabeled audio.")
    var unlabeled: [String] = []

    @Option(parsing: .upToNextOption, help: "Folders of background noise (default: synthetic white/pink/brown/hum, plus babble from the data).")
    var noise: [String] = []

    @Option(help: "Time masks per view (default 8; 0 masks no frames).")
    var timeMasks: Int?

    @Option(help: "Widest time mask in frames (default 20).")
    var maxMaskFrames: Int?

    @Option(help: "Mel-band masks per view (default 2, each up to 6 bins).")
    var frequencyMasks: Int?

    @Option(help: "Weight of masked-frame reconstruction: each Transformer token predicts the unmasked log-mel frames it covers (default 1).")
    var maskedFramesWeight: Float?

    @Option(help: "Weight of masked-unit prediction on hidden frames: each Transformer token predicts the acoustic unit (k-means cluster of log-mel frames, fitted on the unlabeled audio first) of each time-masked frame it covers (default 0).")
    var maskedUnitsWeight: Float?

    @Option(help: "Weight of unit prediction on the frames a view shows (default 0; HuBERT: 0).")
    var visibleUnitsWeight: Float?

    @Option(help: "Acoustic units of masked-unit prediction (default 100).")
    var units: Int?

    @Option(help: "Weight of the SimSiam loss: a predictor pulls each view's projection toward the other view's (stop-gradient), with no negatives, so clips of one word are never pushed apart (default 0).")
    var siameseWeight: Float?

    @Option(help: "Pair each clip (a file of at most 2 s) with one of its K nearest acoustic neighbours (label-free: loudness-trimmed, mean-removed, time-normalized log-mel templates, cosine similarity): the second view of a pair is a crop of the neighbour, so the pair is mostly one word in two voices; longer files keep two views of one crop (default 0: two views of one crop for every file).")
    var neighborPairs: Int?

    @Option(help: "Find the --neighbor-pairs by the embeddings of this pretraining run's (or model folder's) encoder instead of the log-mel templates: a second round, as HuBERT's second iteration re-derives its targets from the first model.")
    var neighborsFrom: String?

    @Option(help: "Weight of the CAB-KWS invariance loss (default 0; paper 0.8).")
    var invarianceWeight: Float?

    @Option(help: "Weight of each view's CAB-KWS reconstruction loss (default 0; paper 0.05).")
    var reconstructionWeight: Float?

    @Option(help: "Weight of the NT-Xent loss (default 0; with the CAB-KWS mix: 1).")
    var contrastiveWeight: Float?

    @Option(help: "NT-Xent temperature (default 0.2).")
    var temperature: Float?

    @OptionGroup var training: TrainingRunOptions
    @OptionGroup var size: ModelSizeOptions
    @OptionGroup var threading: ThreadOptions

    /// The loss weights: the options given over the default recipe (masked-frame reconstruction alone).
    var lossWeights: PretrainingLossWeights {
        let d = PretrainingLossWeights.maskedFramesOnly
        return PretrainingLossWeights(
            invariance: invarianceWeight ?? d.invariance, reconstruction: reconstructionWeight ?? d.reconstruction,
            contrastive: contrastiveWeight ?? d.contrastive, temperature: temperature ?? d.temperature,
            maskedFrames: maskedFramesWeight ?? d.maskedFrames, maskedUnits: maskedUnitsWeight ?? d.maskedUnits,
            visibleUnits: visibleUnitsWeight ?? d.visibleUnits, siamese: siameseWeight ?? d.siamese)
    }

    /// The view masks: the options given over the defaults (nil when every mask count is 0).
    var masking: SpectrogramMasking? {
        let d = SpectrogramMasking()
        let m = SpectrogramMasking(timeMasks: timeMasks ?? d.timeMasks, maxFrames: maxMaskFrames ?? d.maxFrames,
                                   frequencyMasks: frequencyMasks ?? d.frequencyMasks, maxBins: d.maxBins)
        return m.timeMasks == 0 && m.frequencyMasks == 0 ? nil : m
    }

    mutating func validate() throws {
        let losses = [("--invariance-weight", invarianceWeight), ("--reconstruction-weight", reconstructionWeight),
                      ("--contrastive-weight", contrastiveWeight), ("--masked-frames-weight", maskedFramesWeight),
                      ("--masked-units-weight", maskedUnitsWeight), ("--visible-units-weight", visibleUnitsWeight),
                      ("--siamese-weight", siameseWeight), ("--temperature", temperature)]
        try training.validateRun(otherFixed: size.given + [("--unlabeled", !unlabeled.isEmpty), ("--noise", !noise.isEmpty),
                                                           ("--time-masks", timeMasks != nil), ("--max-mask-frames", maxMaskFrames != nil),
                                                           ("--frequency-masks", frequencyMasks != nil), ("--units", units != nil),
                                                           ("--neighbor-pairs", neighborPairs != nil), ("--neighbors-from", neighborsFrom != nil)]
                                 + losses.map { ($0.0, $0.1 != nil) })
        if let timeMasks, !(0...20).contains(timeMasks) { throw ValidationError("--time-masks \(timeMasks): must be 0 to 20") }
        if let frequencyMasks, !(0...10).contains(frequencyMasks) { throw ValidationError("--frequency-masks \(frequencyMasks): must be 0 to 10") }
        if let maxMaskFrames, !(1...50).contains(maxMaskFrames) { throw ValidationError("--max-mask-frames \(maxMaskFrames): must be 1 to 50") }
        if training.resume == nil && unlabeled.isEmpty && training.settings == nil { throw ValidationError("give at least one --unlabeled folder") }
        for (name, value) in losses.dropLast() {
            if let value, !(value >= 0 && value.isFinite) { throw ValidationError("\(name) \(value): must be 0 or more") }
        }
        if let neighborPairs, !(0...100).contains(neighborPairs) { throw ValidationError("--neighbor-pairs \(neighborPairs): must be 0 to 100") }
        if neighborsFrom != nil && (neighborPairs ?? 0) == 0 { throw ValidationError("--neighbors-from needs --neighbor-pairs K above 0") }
        if let units, !(2...4096).contains(units) { throw ValidationError("--units \(units): must be 2 to 4096") }
        if units != nil && !lossWeights.predictsUnits { throw ValidationError("--units needs --masked-units-weight or --visible-units-weight above 0") }
        let w = lossWeights
        if training.resume == nil && training.settings == nil && w.invariance + w.reconstruction + w.contrastive + w.maskedFrames + w.maskedUnits + w.visibleUnits + w.siamese == 0 {
            throw ValidationError("every loss weight is 0: nothing to learn")
        }
        if let temperature, !(temperature > 0.01 && temperature <= 10) { throw ValidationError("--temperature \(temperature): must be in (0.01, 10]") }
    }

    /// A new run's settings: the options over `--settings FILE` over the defaults.
    func newRunSettings(fromFlagsOnly: Bool = false) throws -> PretrainSettings {
        let schedule = training.schedule(defaultSteps: 3000)
        try schedule.validate()
        var settings = PretrainSettings(
            unlabeled: unlabeled, noise: noise, batchSize: training.batchSize ?? 32, learningRate: training.learningRate ?? 1e-3,
            warmupSteps: training.warmup ?? min(200, schedule.totalSteps / 10), weightDecay: 0.01, seed: training.seed ?? 1,
            schedule: schedule, model: try size.configuration(labels: KWSConfiguration.twelveLabels),
            losses: lossWeights, augmentation: AugmentationSettings(), validationPairs: 64, masking: masking,
            units: lossWeights.predictsUnits ? (units ?? 100) : nil, neighborPairs: (neighborPairs ?? 0) > 0 ? neighborPairs : nil,
            neighborsFrom: neighborsFrom)
        if !fromFlagsOnly, let file = training.settings {
            let defaults = try Pretrain.parse(["--out", training.out!, "--settings", file]).newRunSettings(fromFlagsOnly: true)
            settings = try SettingsFile.merged(file: file, flags: settings, defaults: defaults)
            try settings.schedule.validate()
            if settings.unlabeled.isEmpty { throw ValidationError("give at least one --unlabeled folder (or \"unlabeled\" in --settings)") }
        }
        return settings
    }

    func run() throws {
        threading.apply()
        let settings: PretrainSettings
        defer { RunLock.release(runDirectory: training.resume ?? training.out!) }   // taken here or by the runner
        if let resume = training.resume {
            try RunLock.acquire(runDirectory: resume)   // before anything is read: another process may be training it
            settings = try KeywordPretrainer.settings(resuming: resume)
        } else {
            let out = training.out!
            if TrainingCheckpoint.exists(in: out) { throw TrainingError.runExists(path: out) }
            settings = try newRunSettings()
        }
        let runDirectory = training.resume ?? training.out!
        let trainer = try KeywordPretrainer(settings: settings, runDirectory: runDirectory, resume: training.resume != nil, log: Console.error)
        let bar = ProgressBar(label: "pretrain", unit: "steps")
        let stop = StopSignal()
        defer { stop.cancel() }
        Console.error("pretrain: \(trainer.network.parameterCount) parameters (encoder \(trainer.network.encoder.parameterCount)); \(trainer.runner.startStep)/\(settings.schedule.totalSteps) steps done; \(threading.threads) thread(s)")
        let outcome = try trainer.run(stopSignal: stop) { p in
            bar.update(done: p.step, total: p.totalSteps, extra: String(format: "loss %.4f  %.2f steps/s", p.metrics["loss"] ?? 0, p.stepsPerSecond))
            if let line = p.validationLine { Console.error("pretrain: " + line) }
        }
        try reportOutcome(outcome, command: "pretrain", run: runDirectory)
    }
}

extension KWSReadout: ExpressibleByArgument {}
