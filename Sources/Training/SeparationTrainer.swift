import AudioDatasets
import AudioIO
import Foundation
import NN
import Separation
import TensorCore

/// Trains a MossFormer2 separator with negative SI-SNR under utterance-level PIT, Adam, global-norm clipping and
/// halving of the learning rate when the validation SI-SNRi stalls; checkpoints through ``TrainingCheckpoint`` so a
/// stopped or killed run resumes exactly.
///
/// Determinism: batch `i` is drawn from a generator seeded by (seed, i), and every dropout layer is reseeded from
/// (seed, i) before step `i`, so a resumed run repeats the uninterrupted run's steps bit for bit.
public final class SeparationTrainer {
    public let settings: SeparationTrainingSettings
    public let model: MossFormer2Separator
    public let optimizer: Adam
    public private(set) var plateau: HalveOnPlateau
    public private(set) var step = 0
    /// The moving average of the weights, when ``SeparationTrainingSettings/averageDecay`` is set.
    public private(set) var average: ExponentialMovingAverage?
    /// Where the training batches come from (fixed mixtures or dynamic mixing, augmentation, polarity flipping).
    public let training: SeparationBatchSource
    let validation: [SeparationExample]
    let runDirectory: String
    /// In a new run started from `settings.initialization`, how many of the model's blocks came from it (fewer than
    /// `num_mossformer_layer` when a shallower model grew in depth); nil otherwise.
    public private(set) var initializedBlocks: Int?

    /// Builds the run from settings (fresh: random weights, or `settings.initialization`'s) or from the run folder's
    /// checkpoint (`resume`).
    /// - Parameters:
    ///   - settings: the run's settings (ignored when resuming: the checkpoint's are used).
    ///   - runDirectory: the run folder.
    ///   - resume: continue from the folder's checkpoint.
    ///   - data: a resumed run's new corpus folders, replacing the checkpoint's (nil keeps them): from then on the
    ///     run draws other batches than it would have. The first folder gives the dev set, as in a new run; when it
    ///     changes, the plateau rule starts afresh as for any new dev set.
    ///   - validationCount: dev mixtures to validate on, replacing the settings' (nil keeps them).
    ///   - validationSeconds: seconds per dev mixture, replacing the settings' (0 = whole mixtures; nil keeps them).
    ///     When either changes a resumed run's dev set, the plateau rule starts afresh at the current learning rate,
    ///     since scores on different dev sets do not compare.
    ///   - totalSteps: a resumed run's new length in optimizer steps, replacing the checkpoint's (nil keeps it).
    ///     Step `i` draws the same batch whatever the length, so a lengthened run equals one planned that long.
    ///   - averageDecay: the weight average's decay, replacing the settings' (nil keeps them). A resumed run that
    ///     turns the average on starts it at the current weights; when the validated weights change this way, the
    ///     plateau rule starts afresh as for a new dev set. The optimizer's steps do not change.
    ///   - batch: a resumed run's new batch size and crop length (seconds), replacing the checkpoint's (nil keeps
    ///     them): from then on the run draws other batches than it would have.
    ///   - randomPolarity: a resumed run's polarity flipping, replacing the settings' (nil keeps it): from then on the
    ///     run draws other batches than it would have, and validates on its other dev set (``meanDevSISNRi()``), so
    ///     the plateau rule starts afresh.
    ///   - learningRate: a resumed run's new learning rate, replacing the plateau rule's current one (nil keeps it):
    ///     the rule counts stalled validations afresh from it, keeps its best score, and may halve it again.
    ///   - augment: turns a resumed run's augmentation on (keeping its settings if it has some, else the defaults)
    ///     or off (nil keeps it): from then on the run draws other batches than it would have. The dev set is not
    ///     augmented, so the plateau rule goes on.
    ///   - augmentation: a resumed run's new augmentation settings, over `augment`'s choice (nil keeps them).
    ///   - intervals: steps between checkpoints, log rows and validations, each replacing the settings' (nil keeps
    ///     it): stored in every checkpoint, so a resumed run keeps them unless they are given again.
    /// - Throws: ``TrainingError``, `DatasetError`, `SeparationError` naming what is wrong.
    public init(settings: SeparationTrainingSettings, runDirectory: String, resume: Bool,
                data: [String]? = nil, validationCount: Int? = nil, validationSeconds: Double? = nil, totalSteps: Int? = nil,
                averageDecay: Float? = nil, batch: (size: Int?, cropSeconds: Double?) = (nil, nil),
                randomPolarity: Bool? = nil, learningRate: Float? = nil,
                augment: Bool? = nil, augmentation: SourceAugmentationSettings? = nil,

                intervals: (checkpoint: Int?, log: Int?, validate: Int?) = (nil, nil, nil)) throws {
        self.runDirectory = runDirectory
        try RunLock.acquire(runDirectory: runDirectory)
        var settings = settings
        if resume {
            let state = try TrainingCheckpoint.readState(runDirectory: runDirectory)
            settings = try JSONDecoder().decode(SeparationTrainingSettings.self, from: Data(state.configuration.utf8))
            if let totalSteps, totalSteps <= state.step {
                throw TrainingError.invalidOption(name: "--steps", value: "\(totalSteps)",
                                                  reason: "the run in \(runDirectory) is already at step \(state.step); give more steps to continue it")
            }
        }
        let count = validationCount ?? settings.validationCount, seconds = validationSeconds ?? settings.validationSeconds
        let decay = averageDecay ?? settings.averageDecay
        if let decay, !(decay >= 0 && decay < 1) {
            throw TrainingError.invalidOption(name: "--average-decay", value: "\(decay)", reason: "must be at least 0 and below 1")
        }
        let polarity = randomPolarity ?? settings.randomPolarity
        var devChanged = false
        if resume, let data {
            guard !data.isEmpty else { throw TrainingError.invalidOption(name: "--data", value: "", reason: "give at least one corpus folder") }
            devChanged = data[0] != settings.data.first
            settings.data = data
        }
        let validationChanged = devChanged || resume && (count != settings.validationCount || seconds != settings.validationSeconds
            || decay != settings.averageDecay || (polarity ?? false) != (settings.randomPolarity ?? false))
        (settings.validationCount, settings.validationSeconds, settings.averageDecay) = (count, seconds, decay)
        if let totalSteps { settings.totalSteps = totalSteps }
        if let size = batch.size { settings.batchSize = size }
        if let crop = batch.cropSeconds { settings.cropSeconds = crop }
        settings.randomPolarity = polarity
        if let augment { settings.augmentation = augment ? settings.augmentation ?? SourceAugmentationSettings() : nil }
        if let augmentation { settings.augmentation = augmentation }
        if let every = intervals.checkpoint { settings.checkpointEvery = every }
        if let every = intervals.log { settings.logEvery = every }
        if let every = intervals.validate { settings.validateEvery = every }
        self.settings = settings
        model = try MossFormer2Separator(configuration: settings.model, dropout: settings.dropout, seed: settings.seed)
        if !resume, let initialization = settings.initialization {
            // A shallower model's weights grow into this one's first blocks, the rest starting as identities.
            initializedBlocks = try model.loadWeightsGrowingDepth(path: ModelDirectory(initialization).weightsPath)
        }
        model.setTraining(true)
        optimizer = Adam(parameters: model.namedParameters(), learningRate: settings.learningRate)
        plateau = HalveOnPlateau(initial: settings.learningRate, patience: settings.patience)
        // Data: every corpus's train split (pool or mixtures) and the first corpus's dev mixtures.
        var pool: [(path: String, speaker: String)] = [], fixed: [SeparationExample] = []
        for folder in settings.data {
            let poolCSV = (folder as NSString).appendingPathComponent("pool/train.csv")
            if settings.dynamicMixing, FileManager.default.fileExists(atPath: poolCSV) {
                pool += try SeparationBatchSource.pool(csv: poolCSV)
            } else {
                fixed += try SeparationDataset.examples(root: folder, split: "train")
            }
        }
        training = try SeparationBatchSource(
            mode: pool.isEmpty ? .fixed(fixed) : .dynamic(pool), sampleRate: settings.model.sampleRate, speakers: settings.model.numSpks,
            randomPolarity: settings.randomPolarity ?? false,
            augmenter: try settings.augmentation.map { try SourceAugmenter(settings: $0, sampleRate: settings.model.sampleRate) })
        validation = Array(try SeparationDataset.examples(root: settings.data[0], split: "dev").prefix(settings.validationCount))
        if resume {
            let state = try TrainingCheckpoint.load(into: model, optimizer: optimizer, runDirectory: runDirectory)
            step = state.step
            if let json = state.extra["plateau"], let restored = try? Self.plateauDecoder.decode(HalveOnPlateau.self, from: Data(json.utf8)) {
                plateau = restored
            }
            if validationChanged { plateau = HalveOnPlateau(initial: plateau.learningRate, patience: settings.patience) }
            if let learningRate {
                guard learningRate > 0, learningRate.isFinite else {
                    throw TrainingError.invalidOption(name: "--learning-rate", value: "\(learningRate)", reason: "must be positive")
                }
                plateau.restart(at: learningRate)
            }
            optimizer.learningRate = plateau.learningRate
        }
        if let decay = settings.averageDecay {
            average = try ExponentialMovingAverage.restored(parameters: model.namedParameters(), decay: decay, resuming: resume ? runDirectory : nil)
        }
    }

    /// The separator of a run's checkpoint with the weights its validation scores and `RUN/model` exports (the
    /// moving average when the run keeps one, else the raw weights), in inference mode. Reads the checkpoint only,
    /// no corpus: the way to ship a run's latest weights rather than its best validation so far.
    /// - Parameter runDirectory: a run folder holding `checkpoint.safetensors`.
    /// - Returns: the model and the checkpoint's step.
    /// - Throws: ``TrainingError`` naming the checkpoint and what is missing or mismatched.
    public static func validatedModel(runDirectory: String) throws -> (model: MossFormer2Separator, step: Int) {
        let (state, saved, auxiliary) = try TrainingCheckpoint.contents(runDirectory: runDirectory)
        let path = TrainingCheckpoint.path(in: runDirectory)
        let settings: SeparationTrainingSettings
        do {
            settings = try JSONDecoder().decode(SeparationTrainingSettings.self, from: Data(state.configuration.utf8))
        } catch {
            throw TrainingError.incompatibleCheckpoint(path: path, reason: "its settings are not a separator run's: \(error)")
        }
        let model = try MossFormer2Separator(configuration: settings.model, dropout: settings.dropout, seed: settings.seed)
        // A run that turned the average on at a resume and has not saved since holds none yet: it starts at the raw weights.
        let tensors = settings.averageDecay == nil ? saved : saved.merging(ExponentialMovingAverage.saved(in: auxiliary)) { _, average in average }
        do { try model.load(tensors) } catch { throw TrainingError.checkpointMismatch(path: path, error) }
        model.setTraining(false)
        return (model, state.step)
    }

    /// Runs `body` with the weights that validation scores and `RUN/model` exports in the model: the moving average
    /// when there is one, else the raw weights; the raw ones are back afterwards.
    public func withValidatedWeights<T>(_ body: () throws -> T) rethrows -> T {
        if let average { return try average.withAveragedWeights(body) }
        return try body()
    }

    /// One optimizer step on batch `index`.
    /// - Returns: `loss` (the batch's mean negative SI-SNR, dB, whatever ``SeparationTrainingSettings/lossScale``),
    ///   `si_snr` (the batch's mean SI-SNR under PIT) and `grad_norm` (before clipping).
    public func trainStep(_ index: Int) throws -> [String: Double] {
        var rng = SplitMix64(seed: derivedSeed(settings.seed, 1, index))
        let length = Int(settings.cropSeconds * Double(settings.model.sampleRate))
        let batch = try training.batch(size: settings.batchSize, length: length, using: &rng)
        for (i, layer) in model.allLayers().enumerated() {
            (layer as? Dropout)?.reseed(derivedSeed(settings.seed, 2, index, i))
        }
        optimizer.zeroGrad()
        let mixtures = Tensor(batch.mixtures, shape: [batch.batchSize, length])
        let targets = Tensor(batch.sources, shape: [batch.batchSize, batch.speakers, length])
        let estimates = model(mixtures)                                     // [B, C, T]
        // The mean over the batch of the negative mean SI-SNR under the best permutation (the reference's scale, on
        // which its clipping at norm 10 is defined).
        let result = PermutationInvariantLoss.negativeSISNR(estimates: estimates, targets: targets)
        let scale = settings.lossScale ?? 1 / Float(batch.batchSize * batch.speakers)
        (result.loss * scale).backward()
        let norm = clipGradNorm(model.namedParameters(), maxNorm: settings.gradientClip)
        optimizer.step()
        average?.update()
        step = index + 1
        let siSNR = result.bestSISNR.reduce(0, +) / Float(result.bestSISNR.count)
        return ["loss": Double(result.loss.item), "si_snr": Double(siSNR), "grad_norm": Double(norm)]
    }

    /// Scores the dev mixtures with the validated weights (``withValidatedWeights(_:)``): mean SI-SNRi (dB), fed to
    /// the plateau rule; with a weight average, also the raw weights' score (`val_si_snri_raw`).
    public func validate() throws -> [String: Double] {
        let mean = try withValidatedWeights { try meanDevSISNRi() }
        _ = plateau.record(loss: Float(-mean))
        optimizer.learningRate = plateau.learningRate
        var metrics = ["val_si_snri": mean, "learning_rate": Double(plateau.learningRate)]
        if average != nil { metrics["val_si_snri_raw"] = try meanDevSISNRi() }
        return metrics
    }

    /// The mean SI-SNRi (dB) of the model's current weights on the dev mixtures; with
    /// ``SeparationTrainingSettings/randomPolarity``, every second mixture is negated, so the score counts both
    /// polarities (SI-SNR does not depend on the signs, only the model may).
    func meanDevSISNRi() throws -> Double {
        model.setTraining(false)
        defer { model.setTraining(true) }
        let length = settings.validationSeconds > 0 ? Int(settings.validationSeconds * Double(settings.model.sampleRate)) : Int.max
        var improvements: [Double] = []
        let alternate = settings.randomPolarity ?? false
        let workspace = model.makeWorkspace()
        for (index, example) in validation.enumerated() {
            let read = Array(try MonoReader(path: example.mixture, sampleRate: settings.model.sampleRate).readAll().prefix(length))
            let mixture = alternate && index % 2 == 1 ? read.map { -$0 } : read
            let references = try example.sources.map {
                Array(try MonoReader(path: $0, sampleRate: settings.model.sampleRate).readAll().prefix(mixture.count))
            }
            let estimates = model.separate(mixture, workspace: workspace)
            let t = mixture.count
            let target = Tensor(references.flatMap { $0 }, shape: [1, references.count, t])
            let separated = PermutationInvariantLoss.negativeSISNR(estimates: Tensor(estimates.flatMap { $0 }, shape: [1, estimates.count, t]), targets: target)
            let input = PermutationInvariantLoss.negativeSISNR(
                estimates: Tensor(Array(repeating: mixture, count: references.count).flatMap { $0 }, shape: [1, references.count, t]), targets: target)
            improvements.append(Double(separated.bestSISNR[0] - input.bestSISNR[0]))
        }
        return improvements.reduce(0, +) / Double(max(improvements.count, 1))
    }

    /// The best dev SI-SNRi (dB) validated so far in this run, resumed runs included; nil before the first validation.
    public var bestValidationSISNRi: Double? {
        plateau.best.isFinite ? -Double(plateau.best) : nil
    }

    /// JSON for the plateau rule, whose best loss starts at infinity.
    static var plateauEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var plateauDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Saves the checkpoint after `done` steps.
    public func saveCheckpoint(_ done: Int) throws {
        let settingsJSON = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        let plateauJSON = String(decoding: try Self.plateauEncoder.encode(plateau), as: UTF8.self)
        try TrainingCheckpoint.save(
            model: model, optimizer: optimizer,
            state: TrainingState(step: done, randomState: settings.seed, configuration: settingsJSON, extra: ["plateau": plateauJSON]),
            auxiliary: average?.checkpointTensors() ?? [:],
            runDirectory: runDirectory)
    }
}
