import AudioDatasets
import Foundation
import NN
import Separation
import TensorCore

/// The separator's training workloads timed without data (`sepkws bench train-sep`): full steps on random targets
/// (forward, PIT negative SI-SNR, backward, clipping and AdamW) and the source augmentation on noise crops.
///
/// ```swift
/// let timing = try SeparationTrainingBenchmark.steps(configuration: MossFormer2Configuration(), batchSize: 1,
///                                                    cropSeconds: 2, runs: 3)
/// print(timing.total)   // seconds per step, warm-up excluded
/// ```
public enum SeparationTrainingBenchmark {
    /// The phases of timed steps (seconds, one entry per run after the warm-up) and every step's loss.
    public struct StepTimes: Sendable {
        public var forward: [Double] = []
        public var backward: [Double] = []
        public var update: [Double] = []
        public var total: [Double] = []
        /// Every step's loss, the warm-up's first.
        public var losses: [Float] = []
        /// The model's parameters.
        public var parameters = 0
    }

    /// Times `runs` training steps (after one warm-up step) of a fresh model on a random batch `[B, C, T]`.
    /// - Throws: `SeparationError` for an invalid configuration.
    public static func steps(configuration: MossFormer2Configuration, batchSize: Int, cropSeconds: Double, runs: Int) throws -> StepTimes {
        let model = try MossFormer2Separator(configuration: configuration, dropout: 0.1, seed: 1)
        model.setTraining(true)
        let optimizer = Adam.adamW(parameters: model.namedParameters(), learningRate: 1e-4)
        let samples = Int(cropSeconds * Double(configuration.sampleRate))
        var rng = SplitMix64(seed: 7)
        let targets = Tensor.randomNormal([batchSize, configuration.numSpks, samples], using: &rng) * 0.1
        let mixture = targets.sum(axis: 1)                                        // [B, T]
        var times = StepTimes(parameters: model.parameterCount)
        for run in 0...runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            optimizer.zeroGrad()
            let estimates = model(mixture)                                         // [B, C, T]
            let loss = PermutationInvariantLoss.negativeSISNR(estimates: estimates, targets: targets).loss
            let t1 = DispatchTime.now().uptimeNanoseconds
            loss.backward()
            let t2 = DispatchTime.now().uptimeNanoseconds
            clipGradNorm(optimizer.parameters, maxNorm: 5)
            optimizer.step()
            let t3 = DispatchTime.now().uptimeNanoseconds
            times.losses.append(loss.item)
            if run == 0 { continue }   // warm-up
            times.forward.append(Double(t1 - t0) / 1e9)
            times.backward.append(Double(t2 - t1) / 1e9)
            times.update.append(Double(t3 - t2) / 1e9)
            times.total.append(Double(t3 - t0) / 1e9)
        }
        return times
    }

    /// Times ``SourceAugmenter`` on batches of noise crops (the cost does not depend on the content): its defaults
    /// (random parts, so the mean over many batches), every part but noise on every example (the worst case of the
    /// defaults' parts), and noise alone on every example (off by default).
    /// - Returns: each setting's name and its seconds per batch (`batches` of them, after a warm-up).
    public static func augmentation(sampleRate: Int, speakers: Int, samples: Int, batchSize: Int, batches: Int) throws -> [(String, [Double])] {
        let everything = SourceAugmentationSettings(
            speedProbability: 1, formantProbability: 1, equalizerProbability: 1, reverbProbability: 1, bandLimitProbability: 1,
            noiseProbability: 0, clipProbability: 1, muLawProbability: 1, codecProbability: 1)
        var noise = SourceAugmentationSettings.off
        noise.noiseProbability = 1
        var result: [(String, [Double])] = []
        for (name, settings) in [("defaults", SourceAugmentationSettings()), ("every part but noise on", everything), ("noise alone", noise)] {
            let augmenter = try SourceAugmenter(settings: settings, sampleRate: sampleRate)
            var rng = SplitMix64(seed: 11)
            let crops = (0..<speakers).map { _ in
                SignalLevel.scaled((0..<augmenter.inputLength(for: samples)).map { _ in rng.nextNormal() }, toRMS: -25)
            }
            var seconds: [Double] = []
            for batch in 0...batches {
                let t0 = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<batchSize {
                    let example = try augmenter.augmentSources(crops, length: samples, using: &rng)
                    var mixture = SignalLevel.sum(example.mixed)
                    _ = try augmenter.degradeMixture(&mixture, bandLimit: example.bandLimit, using: &rng)
                }
                if batch > 0 { seconds.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9) }   // after a warm-up
            }
            result.append((name, seconds))
        }
        return result
    }
}
