import AudioDatasets
import AudioIO
import DSP
import Foundation
import KeywordSpotting
import TensorCore
import Voices

/// The training windows of a keyword task, drawn as `train-kws` draws them: an example of the task's mix of
/// classes (``KeywordTrainingSet``), put in stream context when asked, then augmented (noise, speed, gain, shift,
/// and the channel augmentation of ``AugmentationSettings/channel``), or a `_silence_` window of background noise;
/// then log-mel features. Used by ``KeywordTrainer`` and by the distillation of `sepkws compress`.
///
/// ```swift
/// let source = try KeywordBatchSource(data: ["kws"], labelSet: .twelve, frontEnd: config.frontEnd,
///                                     augmentation: AugmentationSettings(), seed: 1)
/// var rng = SplitMix64(seed: 7)
/// let (features, targets) = try source.batch(size: 64, using: &rng)   // [64, T, M], [64]
/// ```
public struct KeywordBatchSource {
    /// The corpora joined (and families left out), all splits.
    public let dataset: SpeechCommandsDataset
    /// The training examples and the class mix.
    public let trainingSet: KeywordTrainingSet
    /// Background noise (the corpora's `_background_noise_`).
    public let bank: NoiseBank
    public let augmenter: WaveformAugmenter
    /// Stream context, or nil.
    public let streamContext: StreamContextAugmenter?
    public let frontEnd: LogMelFrontEnd

    /// Loads the corpora, noise and context.
    /// - Parameters:
    ///   - data: Speech Commands folders, joined split by split.
    ///   - excludedEngines: families whose clips are left out (by each corpus's `clips.csv`), or nil.
    ///   - labelSet: the task.
    ///   - frontEnd: the model's front end (its rate and window length are the windows').
    ///   - labelFraction: share of each class's clips kept.
    ///   - silenceShare: chance of a `_silence_` example.
    ///   - unknownShare: chance of an `_unknown_` example.
    ///   - augmentation: the waveform augmentation.
    ///   - contextFolders: folders of running speech for stream context, or nil.
    ///   - context: the stream-context settings (used with `contextFolders`).
    ///   - seed: the seed of the label-fraction draw.
    ///   - log: receives progress lines.
    /// - Throws: `DatasetError`, `AudioIOError`, ``TrainingError`` naming what is wrong.
    public init(
        data: [String], excludedEngines: [String]? = nil, labelSet: KeywordLabelSet, frontEnd: KWSFrontEnd,
        labelFraction: Double = 1, silenceShare: Double = 0.1, unknownShare: Double = 0.1, augmentation: AugmentationSettings,
        contextFolders: [String]? = nil, context: StreamContextSettings? = nil, seed: UInt64, log: (String) -> Void = { _ in }
    ) throws {
        let rate = frontEnd.sampleRate, length = frontEnd.clipSamples
        guard let first = data.first else { throw TrainingError.invalidOption(name: "--data", value: "", reason: "give at least one corpus") }
        var dataset = try SpeechCommandsDataset(root: first, labelSet: labelSet, windowSamples: length)
        for more in data.dropFirst() {
            dataset = dataset.merged(with: try SpeechCommandsDataset(root: more, labelSet: labelSet, windowSamples: length))
        }
        if let excludedEngines, !excludedEngines.isEmpty {
            dataset = try dataset.excluding(engines: Set(try EngineFamily.list(excludedEngines.joined(separator: ","))))
            log("train-kws: clips of \(excludedEngines.joined(separator: ", ")) left out of training")
        }
        self.dataset = dataset
        trainingSet = try KeywordTrainingSet(
            dataset: dataset, labelFraction: labelFraction, silenceShare: silenceShare, unknownShare: unknownShare, seed: seed)
        bank = try NoiseBank(files: dataset.noiseFiles, sampleRate: rate, minimumLength: length)
        augmenter = try WaveformAugmenter(settings: augmentation, sampleRate: rate, noises: bank)
        if let contextFolders, let context {
            try context.validate()
            let pool = try UnlabeledAudioPool(folders: contextFolders, sampleRate: rate, minimumLength: length)
            streamContext = StreamContextAugmenter(settings: context, pool: pool)
            log(String(format: "train-kws: stream context from %d files (%.1f min of running speech)", pool.files.count, pool.totalSeconds / 60))
        } else {
            streamContext = nil
        }
        self.frontEnd = try LogMelFrontEnd(frontEnd)
        log("train-kws: \(trainingSet.clipCount) labelled training clips (\(Int(labelFraction * 100))%), \(bank.signals.count) noises")
    }

    /// The source of a `train-kws` run's settings.
    /// - Throws: as ``init(data:excludedEngines:labelSet:frontEnd:labelFraction:silenceShare:unknownShare:augmentation:contextFolders:context:seed:log:)``.
    public init(settings: KeywordTrainingSettings, log: (String) -> Void = { _ in }) throws {
        try self.init(
            data: [settings.data] + (settings.moreData ?? []), excludedEngines: settings.excludedEngines, labelSet: settings.labelSet,
            frontEnd: settings.model.frontEnd, labelFraction: settings.labelFraction, silenceShare: settings.silenceShare,
            unknownShare: settings.unknownShare, augmentation: settings.augmentation, contextFolders: settings.contextFolders,
            context: settings.context, seed: settings.seed, log: log)
    }

    /// One window and its class, `[length]` samples at the front end's rate.
    public func window(using rng: inout SplitMix64) throws -> (samples: [Float], label: Int) {
        let rate = frontEnd.settings.sampleRate, length = frontEnd.settings.clipSamples
        let draw = trainingSet.draw(using: &rng)
        guard let path = draw.path else {
            let level = Double(-60 + 40 * rng.nextUniform())
            var view = SignalLevel.scaled(bank.crop(length: length, using: &rng), toRMS: level)
            try streamContext?.limitBand(&view, using: &rng)
            return (view, draw.label)
        }
        let clip = try KeywordClips.load(path: path, cropStart: nil, sampleRate: rate, length: length)
        var source = clip, label = draw.label, center = clip.count / 2
        if let streamContext {
            source = draw.label == trainingSet.unknownLabel && Double(rng.nextUniform()) < streamContext.settings.runningUnknownShare
                ? streamContext.runningSpeech(length: length, levelOf: clip, using: &rng) : streamContext.surround(clip, using: &rng)
            center = source.count / 2
            if streamContext.settings.keywordTailSeconds > 0, trainingSet.isKeyword(draw.label), let word = streamContext.activeRegion(of: clip) {
                // The clip sits in the middle third of the surrounded source.
                let inSource = (word.lowerBound + clip.count)..<(word.upperBound + clip.count)
                let early = trainingSet.unknownLabel != nil && Double(rng.nextUniform()) < streamContext.settings.earlyShare
                if let placed = streamContext.keywordCenter(center, word: inSource, length: length, view: augmenter.settings, early: early, using: &rng) {
                    center = placed
                    if early { label = trainingSet.unknownLabel! }
                }
            }
        }
        var view = try augmenter.view(of: source, center: center, length: length, using: &rng)
        streamContext?.addCompetingTalker(to: &view, using: &rng)
        try streamContext?.limitBand(&view, using: &rng)
        return (view, label)
    }

    /// `size` windows as log-mel features `[size, T, M]` and their classes `[size]`. The windows are made by
    /// `workers` threads at once (reading, augmenting and resampling them is about a third of a training step's
    /// work); each comes from its own generator, seeded in order from `rng`, so a batch is the same for any number of
    /// workers.
    /// - Parameter workers: threads (default `Threading.blasThreads`, the run's `--threads`).
    public func batch(size: Int, workers: Int = Threading.blasThreads, using rng: inout SplitMix64) throws -> (features: Tensor, targets: [Int]) {
        let seeds = (0..<size).map { _ in rng.next() }
        var windows = [[Float]](repeating: [], count: size), targets = [Int](repeating: 0, count: size)
        let workers = max(1, min(workers, size))
        var failures = [(any Error)?](repeating: nil, count: workers)
        windows.withUnsafeMutableBufferPointer { windowSlots in
            targets.withUnsafeMutableBufferPointer { targetSlots in
                failures.withUnsafeMutableBufferPointer { failureSlots in
                    // Each worker writes only its own range of slots and its own failure slot.
                    parallelFor(count: size, workers: workers) { worker, range in
                        do {
                            for i in range {
                                var generator = SplitMix64(seed: seeds[i])
                                (windowSlots[i], targetSlots[i]) = try window(using: &generator)
                            }
                        } catch {
                            failureSlots[worker] = error
                        }
                    }
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
        return (frontEnd.batch(windows), targets)
    }
}
