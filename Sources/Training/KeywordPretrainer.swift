import AudioDatasets
import AudioIO
import Foundation
import KeywordSpotting
import NN
import TensorCore

/// Estimates the log-mel normalization (mean and standard deviation over all bins) from some windows.
public func logMelStatistics(_ windows: [[Float]], frontEnd: KWSFrontEnd) throws -> (mean: Float, std: Float) {
    let extractor = try LogMelFrontEnd(frontEnd)
    var sum = 0.0, sumSquares = 0.0, count = 0
    for window in windows {
        for v in extractor.features(window) {
            sum += Double(v)
            sumSquares += Double(v) * Double(v)
            count += 1
        }
    }
    let mean = sum / Double(max(count, 1))
    let std = max(1e-3, (sumSquares / Double(max(count, 1)) - mean * mean).squareRoot())
    return (Float(mean), Float(std))
}

/// One pretraining step: the weighted invariance + reconstruction + NT-Xent (+ masked-frame, masked-unit, SimSiam) loss of a batch of
/// view pairs (`unmasked`: both views before masking, `[2N, T, M]`), backward, gradient clipping at norm 5, an
/// AdamW update at `learningRate`. Returns the loss and its parts.
public func pretrainingStep(
    network: KWSPretrainingModel, optimizer: Adam, view1: Tensor, view2: Tensor, unmasked: Tensor? = nil, weights: PretrainingLossWeights,
    learningRate: Float, dropoutSeed: UInt64
) -> [String: Double] {
    network.setTraining(true)
    let parts = network.losses(view1: view1, view2: view2, unmasked: unmasked, weights: weights, dropoutSeed: dropoutSeed)
    parts.total.backward()
    let norm = clipGradNorm(optimizer.parameters, maxNorm: 5)
    optimizer.learningRate = learningRate
    optimizer.step()
    optimizer.zeroGrad()
    return ["loss": Double(parts.total.item), "invariance": Double(parts.invariance), "reconstruction": Double(parts.reconstruction),
            "contrastive": Double(parts.contrastive), "masked_frames": Double(parts.maskedFrames), "masked_units": Double(parts.maskedUnits),
            "visible_units": Double(parts.visibleUnits), "siamese": Double(parts.siamese), "embedding_spread": Double(parts.embeddingSpread),
            "learning_rate": Double(learningRate),
            "grad_norm": Double(norm)]
}

/// The settings of a pretraining run (stored in its checkpoint and in `RUN/settings.json`).
public struct PretrainSettings: Codable, Sendable {
    public var unlabeled: [String]
    public var noise: [String]
    public var batchSize: Int
    public var learningRate: Float
    public var warmupSteps: Int
    public var weightDecay: Float
    public var seed: UInt64
    public var schedule: TrainingSchedule
    public var model: KWSConfiguration
    public var losses: PretrainingLossWeights
    public var augmentation: AugmentationSettings
    public var validationPairs: Int
    /// SpecAugment masks on each view (`--time-masks`, `--max-mask-frames`, `--frequency-masks`), or nil.
    public var masking: SpectrogramMasking?
    /// Acoustic units of masked-unit prediction (`--units`), or nil when it is off.
    public var units: Int?
    /// Mined pairs (`--neighbor-pairs K`): each pair's second view is a crop of one of the first file's `K` nearest
    /// acoustic neighbours (``AcousticNeighbors``) instead of a second view of the same crop; nil: off.
    public var neighborPairs: Int?
    /// A pretraining run or model folder whose encoder's embeddings find the neighbours (`--neighbors-from`), or nil:
    /// the log-mel templates do.
    public var neighborsFrom: String?

    public init(
        unlabeled: [String], noise: [String], batchSize: Int, learningRate: Float, warmupSteps: Int, weightDecay: Float, seed: UInt64, schedule: TrainingSchedule, model: KWSConfiguration, losses: PretrainingLossWeights, augmentation: AugmentationSettings, validationPairs: Int, masking: SpectrogramMasking?, units: Int?, neighborPairs: Int?, neighborsFrom: String?
    ) {
        self.unlabeled = unlabeled
        self.noise = noise
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
        self.weightDecay = weightDecay
        self.seed = seed
        self.schedule = schedule
        self.model = model
        self.losses = losses
        self.augmentation = augmentation
        self.validationPairs = validationPairs
        self.masking = masking
        self.units = units
        self.neighborPairs = neighborPairs
        self.neighborsFrom = neighborsFrom
    }

    enum CodingKeys: String, CodingKey {
        case unlabeled, noise, batchSize = "batch_size", learningRate = "learning_rate", warmupSteps = "warmup_steps"
        case weightDecay = "weight_decay", seed, schedule, model, losses, augmentation, validationPairs = "validation_pairs"
        case masking, units, neighborPairs = "neighbor_pairs", neighborsFrom = "neighbors_from"
    }

    /// Whether a step needs the views as they were before masking (the target of masked frames or units).
    public var needsUnmaskedViews: Bool { losses.maskedFrames > 0 || losses.predictsUnits }

    /// The settings as pretty-printed JSON (sorted keys), as stored in the checkpoint and `RUN/settings.json`.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// Label-free pretraining of the keyword encoder on folders of audio (`sepkws pretrain`): masked views of 1 s crops
/// (two augmented views per crop, or a crop and one of its acoustic neighbours), the weighted losses of
/// ``PretrainingLossWeights``, AdamW with warm-up and cosine decay, checkpoints through ``TrainingRunner``.
///
/// Determinism: step `i` draws its batch from a generator seeded by the runner for step `i`, so a resumed run repeats
/// the uninterrupted run's steps bit for bit.
///
/// ```swift
/// let trainer = try KeywordPretrainer(settings: settings, runDirectory: "runs/pre", resume: false)
/// let outcome = try trainer.run(stopSignal: StopSignal())
/// ```
public final class KeywordPretrainer {
    /// Files of at most this many clip lengths are paired with their neighbours by `neighborPairs`; longer ones
    /// (running speech, where a file's loudest second says little about a random crop) keep two views of one crop.
    public static let longestPairedClip = 2

    /// Views whose frames the acoustic-unit codebook is fitted on (about 52,000 frames).
    public static let codebookViews = 512

    /// The run's settings, with the model's input normalization measured (a new run) or read back (a resumed one).
    public let settings: PretrainSettings
    /// The run folder.
    public let runDirectory: String
    /// The network being trained (encoder and pretraining heads).
    public let network: KWSPretrainingModel
    /// The checkpointing runner.
    public let runner: TrainingRunner
    private let optimizer: Adam
    private let schedule: WarmupCosineSchedule
    private let pool: UnlabeledAudioPool
    private let augmenter: WaveformAugmenter
    private let frontEnd: LogMelFrontEnd
    private let neighbors: [Int: [Int]]
    private let margin: Int
    private var validationViews: (Tensor, Tensor, Tensor?)?

    /// The settings stored in a run folder's checkpoint.
    /// - Throws: ``TrainingError`` if the folder holds no readable run.
    public static func settings(resuming runDirectory: String) throws -> PretrainSettings {
        let state = try TrainingCheckpoint.readState(runDirectory: runDirectory)
        return try JSONDecoder().decode(PretrainSettings.self, from: Data(state.configuration.utf8))
    }

    /// Loads the audio, builds the noise bank and the augmenter, measures the input normalization (a new run), mines
    /// the neighbours and fits the acoustic units when asked, and starts or resumes the run in `runDirectory`
    /// (`settings.json` written).
    /// - Parameters:
    ///   - settings: the run's settings (a resumed run passes its checkpoint's, ``settings(resuming:)``).
    ///   - resume: continue from the folder's checkpoint.
    ///   - log: receives progress lines (`pretrain: ...`).
    /// - Throws: ``TrainingError``, `AudioIOError`, `DatasetError` naming what is wrong.
    public init(settings: PretrainSettings, runDirectory: String, resume: Bool, log: (String) -> Void = { _ in }) throws {
        self.runDirectory = runDirectory
        var model = settings.model
        let rate = model.frontEnd.sampleRate, length = model.frontEnd.clipSamples

        log("pretrain: loading \(settings.unlabeled.joined(separator: ", "))")
        let pool = try UnlabeledAudioPool(folders: settings.unlabeled, sampleRate: rate, minimumLength: length / 2)
        log(String(format: "pretrain: %d files, %.1f min of audio (%d skipped)", pool.files.count, pool.totalSeconds / 60, pool.skipped.count))
        var noiseRNG = SplitMix64(seed: settings.seed ^ 0x6E6F_6973_65)
        var bank = settings.noise.isEmpty
            ? NoiseBank.synthetic(sampleRate: rate, seed: settings.seed)
            : try NoiseBank(files: try settings.noise.flatMap { try AudioFolder.files(in: $0) }, sampleRate: rate, minimumLength: length)
        let babble = (0..<4).map { _ in
            NoiseGenerator.babble(from: (0..<5).map { _ in pool.anyCrop(length: 6 * rate, using: &noiseRNG) }, count: 30 * rate, using: &noiseRNG)
        }
        bank = NoiseBank(signals: bank.signals + babble, names: bank.names + (0..<4).map { "babble\($0)" })
        let augmenter = try WaveformAugmenter(settings: settings.augmentation, sampleRate: rate, noises: bank)
        let margin = augmenter.margin(length: length)

        if !resume {
            var statsRNG = SplitMix64(seed: settings.seed ^ 0x5354_4154)
            let stats = try logMelStatistics((0..<256).map { _ in pool.crop(length: length, margin: 0, using: &statsRNG) }, frontEnd: model.frontEnd)
            model.inputMean = stats.mean
            model.inputStd = stats.std
        }
        var finalSettings = settings
        finalSettings.model = model
        let settingsJSON = finalSettings.json()

        let network = KWSPretrainingModel(configuration: model, seed: settings.seed, frameDecoder: settings.losses.maskedFrames > 0,
                                          units: settings.units ?? 0, siamese: settings.losses.siamese > 0)
        let optimizer = Adam.adamW(parameters: network.namedParameters(), learningRate: settings.learningRate, weightDecay: settings.weightDecay)
        schedule = WarmupCosineSchedule(
            peak: settings.learningRate, warmupSteps: settings.warmupSteps, totalSteps: max(settings.schedule.totalSteps, settings.warmupSteps + 1),
            minimum: settings.learningRate * 0.02)
        let columns = ["step", "loss", "invariance", "reconstruction", "contrastive"] + (settings.losses.maskedFrames > 0 ? ["masked_frames"] : [])
            + (settings.units != nil ? ["masked_units", "visible_units"] : [])
            + (settings.losses.siamese > 0 ? ["siamese", "embedding_spread"] : [])
            + ["learning_rate", "grad_norm", "steps_per_second", "val_loss"]
        runner = !resume
            ? try TrainingRunner(starting: runDirectory, model: network, optimizer: optimizer, seed: settings.seed, configuration: settingsJSON, logColumns: columns)
            : try TrainingRunner(resuming: runDirectory, model: network, optimizer: optimizer, logColumns: columns)
        try TrainingCheckpoint.writeAtomically(Data(settingsJSON.utf8), to: (runDirectory as NSString).appendingPathComponent("settings.json"), runDirectory: runDirectory)

        let frontEnd = try LogMelFrontEnd(model.frontEnd)
        // Mined pairs: for each short file (a clip of at most `longestPairedClip` windows), its neighbours.
        neighbors = try settings.neighborPairs.map {
            try Self.mineNeighbors(count: $0, pool: pool, settings: settings, frontEnd: frontEnd, runDirectory: runDirectory, log: log)
        } ?? [:]
        if let units = settings.units, !resume {
            // the codebook: k-means on the normalized frames of unmasked views (a resumed run loads it from its checkpoint)
            var unitRNG = SplitMix64(seed: settings.seed ^ 0x554E_4954)
            let views = try (0..<Self.codebookViews).map { _ in
                try augmenter.view(of: pool.crop(length: length, margin: margin, using: &unitRNG), center: margin + length / 2, length: length, using: &unitRNG)
            }
            let frames = network.encoder.normalized(frontEnd.batch(views)).reshaped([views.count * model.frontEnd.frameCount, model.frontEnd.melCount])
            network.setCodebook(AcousticUnitCodebook.fit(frames: frames, count: units, seed: unitRNG.next()))
            log("pretrain: \(units) acoustic units fitted on \(frames.shape[0]) frames of \(views.count) views")
        }
        self.settings = finalSettings
        self.network = network
        self.optimizer = optimizer
        self.pool = pool
        self.augmenter = augmenter
        self.frontEnd = frontEnd
        self.margin = margin
        var validationRNG = SplitMix64(seed: settings.seed ^ 0x5641_4C)
        validationViews = try viewPairs(settings.validationPairs, &validationRNG)
    }

    /// `count` view pairs `[N, T, M]` each (masked, if masking is on) and both views before masking `[2N, T, M]`.
    private func viewPairs(_ count: Int, _ rng: inout SplitMix64) throws -> (Tensor, Tensor, Tensor?) {
        let length = settings.model.frontEnd.clipSamples
        var first: [[Float]] = [], second: [[Float]] = []
        for _ in 0..<count {
            let (file, own) = pool.indexedCrop(length: length, margin: margin, using: &rng)
            var partner = own
            if let choices = neighbors[file] {
                partner = pool.crop(file: choices[Int(rng.next() % UInt64(choices.count))], length: length, margin: margin, using: &rng)
            }
            first.append(try augmenter.view(of: own, center: margin + length / 2, length: length, using: &rng))
            second.append(try augmenter.view(of: partner, center: margin + length / 2, length: length, using: &rng))
        }
        let views = (frontEnd.batch(first), frontEnd.batch(second))
        let unmasked = settings.masking?.apply(
            toPair: views.0, views.1, fill: settings.model.inputMean, keepingTarget: settings.needsUnmaskedViews, using: &rng)
        return (views.0, views.1, unmasked)
    }

    /// Trains from the runner's step to the end of the schedule, or until `stopSignal` (then a checkpoint is saved).
    /// - Parameter progress: called after every step.
    /// - Returns: how the run ended.
    /// - Throws: I/O errors of the data, checkpoints and log.
    public func run(stopSignal: StopSignal, progress: (TrainingProgress) -> Void = { _ in }) throws -> TrainingOutcome {
        let (settings, network, optimizer, schedule) = (settings, network, optimizer, schedule)
        let validationViews = validationViews!
        return try runner.run(
            schedule: settings.schedule, stopSignal: stopSignal,
            step: { index, seed in
                var rng = SplitMix64(seed: seed)
                let (v1, v2, unmasked) = try viewPairs(settings.batchSize, &rng)
                return pretrainingStep(
                    network: network, optimizer: optimizer, view1: v1, view2: v2, unmasked: unmasked, weights: settings.losses,
                    learningRate: schedule.learningRate(at: index), dropoutSeed: rng.next())
            },
            validate: { _ in
                network.setTraining(false)
                let loss = Autograd.withNoGrad {
                    network.losses(view1: validationViews.0, view2: validationViews.1, unmasked: validationViews.2, weights: settings.losses,
                                   dropoutSeed: nil).total.item
                }
                return ["val_loss": Double(loss)]
            },
            progress: progress)
    }
}

extension KeywordPretrainer {
    /// The `count` nearest neighbours of each file of at most ``longestPairedClip`` clip lengths (by log-mel
    /// templates, or by the embeddings of `settings.neighborsFrom`), as pool indices; also writes `RUN/neighbors.csv`.
    /// - Throws: when there are not more than `count` such files, or the source encoder does not load.
    public static func mineNeighbors(count k: Int, pool: UnlabeledAudioPool, settings: PretrainSettings, frontEnd: LogMelFrontEnd,
                              runDirectory: String, log: (String) -> Void = { _ in }) throws -> [Int: [Int]] {
        let length = frontEnd.settings.clipSamples
        let short = (0..<pool.count).filter { pool.signal($0).count <= Self.longestPairedClip * length }
        guard short.count > k else {
            throw TrainingError.noUsableAudio(path: settings.unlabeled.joined(separator: ", "),
                                              reason: "--neighbor-pairs \(k) needs more than \(k) clips of at most \(longestPairedClip) s, found \(short.count)")
        }
        let started = Date()
        let windows = short.map { KeywordSpotter.loudestWindow(of: pool.signal($0), length: length) }
        let found: AcousticNeighbors
        if let source = settings.neighborsFrom {
            let embeddings = try embeddings(of: windows, encoderOf: source, frontEnd: frontEnd)
            found = AcousticNeighbors(vectors: embeddings.values, width: embeddings.width, count: k)
        } else {
            found = AcousticNeighbors(logMels: windows.map { frontEnd.features($0) }, melCount: frontEnd.settings.melCount, count: k)
        }
        var neighbors: [Int: [Int]] = [:]
        for (i, file) in short.enumerated() { neighbors[file] = found.neighbors[i].map { short[$0] } }
        log(String(format: "pretrain: the %d nearest acoustic neighbours of each of %d clips, by %@ (files over 2 s, kept as two views of one crop: %d), in %.1f s",
                             k, short.count, settings.neighborsFrom.map { "the embeddings of \($0)" } ?? "log-mel templates",
                             pool.count - short.count, Date().timeIntervalSince(started)))
        try CSVTable(header: ["file"] + (1...k).map { "neighbor_\($0)" },
                     rows: short.map { file in [pool.files[file]] + neighbors[file]!.map { pool.files[$0] } })
            .write(to: (runDirectory as NSString).appendingPathComponent("neighbors.csv"))
        return neighbors
    }

    /// The bottleneck embeddings `[N, D]` (row-major) of 1 s windows by the encoder of a pretraining run or model folder.
    /// - Throws: when `path` holds neither, or its front end differs from `frontEnd`'s.
    public static func embeddings(of windows: [[Float]], encoderOf path: String, frontEnd: LogMelFrontEnd) throws -> (values: [Float], width: Int) {
        let source = try InitialEncoder(path: path)
        guard source.configuration.frontEnd == frontEnd.settings else {
            throw TrainingError.invalidOption(name: "--neighbors-from", value: path, reason: "its front end differs from this run's")
        }
        let classifier = KeywordClassifier(configuration: source.configuration, seed: 0)
        try classifier.loadEncoder(from: source.tensors)
        let encoder = classifier.encoder
        encoder.setTraining(false)
        var values: [Float] = []
        for start in stride(from: 0, to: windows.count, by: 256) {
            let batch = frontEnd.batch(Array(windows[start..<min(start + 256, windows.count)]))
            values += Autograd.withInferenceMode { encoder(batch) }.scalars
        }
        return (values, source.configuration.bottleneckDimension)
    }
}
