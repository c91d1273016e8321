import Foundation
import KeywordSpotting
import NN
import TensorCore

/// The keyword spotter's workloads timed without files (`sepkws bench kws`): a fine-tuning step (augmentation, front
/// end, forward and backward, AdamW), a pretraining step (`pretrain`'s default masked-frame recipe) and
/// classification one window at a time and in batches.
///
/// ```swift
/// let bench = try KeywordTrainingBenchmark(configuration: config, classifier: KeywordClassifier(configuration: config, seed: 1), batchSize: 64)
/// let seconds = try bench.fineTuning(steps: 10)   // for 10 steps, after one warm-up step
/// ```
public final class KeywordTrainingBenchmark {
    private let configuration: KWSConfiguration
    private let classifier: KeywordClassifier
    private let batchSize: Int
    private let augmenter: WaveformAugmenter
    private let frontEnd: LogMelFrontEnd
    private let sources: [[Float]]
    private var rng = SplitMix64(seed: 7)

    /// Synthetic sources and noise for `configuration`'s window; `classifier` is trained in place by ``fineTuning(steps:)``.
    /// - Throws: front-end or augmentation errors.
    public init(configuration: KWSConfiguration, classifier: KeywordClassifier, batchSize: Int) throws {
        self.configuration = configuration
        self.classifier = classifier
        self.batchSize = batchSize
        let rate = configuration.frontEnd.sampleRate, length = configuration.frontEnd.clipSamples
        let bank = NoiseBank.synthetic(sampleRate: rate, seconds: 5, seed: 1)
        augmenter = try WaveformAugmenter(settings: AugmentationSettings(), sampleRate: rate, noises: bank)
        frontEnd = try LogMelFrontEnd(configuration.frontEnd)
        var generator = SplitMix64(seed: 7)
        sources = (0..<8).map { _ in (0..<(length * 2)).map { i in Float(sin(Double(i) * 0.03)) * 0.2 + 0.02 * generator.nextNormal() } }
        rng = generator
    }

    private func windows(_ count: Int) throws -> [[Float]] {
        let length = configuration.frontEnd.clipSamples
        return try (0..<count).map { i in try augmenter.view(of: sources[i % 8], center: length, length: length, using: &rng) }
    }

    private func timed(_ body: () throws -> Void) rethrows -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    /// Seconds for `steps` fine-tuning steps (after one warm-up step).
    public func fineTuning(steps: Int) throws -> Double {
        let adam = Adam.adamW(parameters: classifier.namedParameters(), learningRate: 1e-3)
        let targets = (0..<batchSize).map { $0 % configuration.classCount }
        func step() throws {
            _ = fineTuningStep(network: classifier, optimizer: adam, features: frontEnd.batch(try windows(batchSize)), targets: targets,
                               labelSmoothing: 0.1, learningRate: 1e-3, dropoutSeed: rng.next())
        }
        try step()
        return try timed { for _ in 0..<steps { try step() } }
    }

    /// Seconds for `steps` pretraining steps of `batchSize / 2` view pairs (after one warm-up step).
    public func pretraining(steps: Int) throws -> Double {
        let pretrainer = KWSPretrainingModel(configuration: configuration, seed: 1, frameDecoder: true)
        let adam = Adam.adamW(parameters: pretrainer.namedParameters(), learningRate: 1e-3)
        let masking = SpectrogramMasking()
        func step() throws {
            let pairs = batchSize / 2
            let (view1, view2) = (frontEnd.batch(try windows(pairs)), frontEnd.batch(try windows(pairs)))
            let unmasked = masking.apply(toPair: view1, view2, fill: configuration.inputMean, keepingTarget: true, using: &rng)
            _ = pretrainingStep(network: pretrainer, optimizer: adam, view1: view1, view2: view2, unmasked: unmasked,
                                weights: .maskedFramesOnly, learningRate: 1e-3, dropoutSeed: rng.next())
        }
        try step()
        return try timed { for _ in 0..<steps { try step() } }
    }

    /// Classification by the classifier: seconds per window one at a time (200 windows), and windows per second in
    /// batches of 64.
    public func classification() throws -> (secondsPerWindow: Double, batchWindowsPerSecond: Double) {
        let spotter = try KeywordSpotter(model: classifier)
        let clips = try windows(64)
        _ = spotter.classify(clips[0])
        var singles = 0
        let singleSeconds = timed { while singles < 200 { _ = spotter.classify(clips[singles % 64]); singles += 1 } }
        _ = spotter.classify(clips)
        let batchSeconds = timed { for _ in 0..<5 { _ = spotter.classify(clips) } }
        return (singleSeconds / Double(singles), 5 * 64 / batchSeconds)
    }
}
