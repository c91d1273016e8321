import AudioDatasets
import Foundation
import TensorCore
import Testing
import TestSupport
import Training

/// Separator training with the augmentation against synthesizer fingerprints: off, the batches are exactly those
/// of before; on, they follow the seed, the mixture is the sum of the targets up to its own stage, and a resumed
/// run equals an uninterrupted one. Old checkpoints decode without it.
@Suite(.serialized) struct AugmentedTrainingTests {
    /// Every part of the augmentation on every example (noise too), at 8 kHz.
    static let everything = SourceAugmentationSettings(
        speedProbability: 1, equalizerProbability: 1, reverbProbability: 1, bandLimitProbability: 1, noiseProbability: 1,
        clipProbability: 1, muLawProbability: 1)

    /// Mixture `b` and source `c` of a batch.
    static func rows(_ batch: SeparationBatch, _ b: Int) -> (mixture: [Float], sources: [[Float]]) {
        let t = batch.length
        return (Array(batch.mixtures[(b * t)..<((b + 1) * t)]),
                (0..<batch.speakers).map { c in Array(batch.sources[((b * batch.speakers + c) * t)..<((b * batch.speakers + c + 1) * t)]) })
    }

    @Test func augmentationOffLeavesTheBatchesAsTheyWere() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try SeparationTrainerTests.corpus(dir)
        let pool = try SeparationBatchSource.pool(csv: (data as NSString).appendingPathComponent("pool/train.csv"))
        for polarity in [false, true] {
            let plain = try SeparationBatchSource(mode: .dynamic(pool), sampleRate: 8_000, randomPolarity: polarity)
            let off = try SeparationBatchSource(mode: .dynamic(pool), sampleRate: 8_000, randomPolarity: polarity,
                                                augmenter: SourceAugmenter(settings: .off, sampleRate: 8_000))
            for seed in 0..<4 as Range<UInt64> {
                var a = SplitMix64(seed: seed), b = SplitMix64(seed: seed)
                let x = try plain.batch(size: 2, length: 1_500, using: &a), y = try off.batch(size: 2, length: 1_500, using: &b)
                #expect(x.mixtures.map(\.bitPattern) == y.mixtures.map(\.bitPattern) && x.sources.map(\.bitPattern) == y.sources.map(\.bitPattern))
                #expect(a.state == b.state, "the augmenter drew from the generator")
            }
        }
        #expect(throws: DatasetError.self) {
            try SeparationBatchSource(mode: .dynamic(pool), sampleRate: 8_000, augmenter: SourceAugmenter(settings: .off, sampleRate: 16_000))
        }
    }

    @Test func augmentedBatchesFollowTheSeedAndMixTheirSources() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try SeparationTrainerTests.corpus(dir)
        let pool = try SeparationBatchSource.pool(csv: (data as NSString).appendingPathComponent("pool/train.csv"))
        let plain = try SeparationBatchSource(mode: .dynamic(pool), sampleRate: 8_000, randomPolarity: true)
        let augmented = try SeparationBatchSource(mode: .dynamic(pool), sampleRate: 8_000, randomPolarity: true,
                                                  augmenter: SourceAugmenter(settings: Self.everything, sampleRate: 8_000))
        var a = SplitMix64(seed: 3), b = SplitMix64(seed: 3), c = SplitMix64(seed: 4), d = SplitMix64(seed: 3)
        let x = try augmented.batch(size: 2, length: 2_000, using: &a), y = try augmented.batch(size: 2, length: 2_000, using: &b)
        let z = try augmented.batch(size: 2, length: 2_000, using: &c), unaugmented = try plain.batch(size: 2, length: 2_000, using: &d)
        #expect(x.mixtures == y.mixtures && x.sources == y.sources)
        #expect(x.mixtures != z.mixtures && x.sources != unaugmented.sources)
        #expect(x.mixtures.allSatisfy(\.isFinite) && x.sources.allSatisfy(\.isFinite))
        // The mixture-only stage made the mixture more than a scaled sum of the targets.
        let (mixture, sources) = Self.rows(x, 0)
        let sum = SignalLevel.sum(sources)
        let scale = zip(mixture, sum).map { Double($0 * $1) }.reduce(0, +) / sum.map { Double($0 * $0) }.reduce(0, +)
        #expect(zip(mixture, sum).contains { abs(Double($0) - scale * Double($1)) > 1e-3 })

        // Without it (linear stages only: speed, equalizer, room, band limit), the mixture is the sum of the
        // targets, bit for bit, polarity flips included.
        var linear = Self.everything
        (linear.noiseProbability, linear.clipProbability, linear.muLawProbability, linear.gainMinDB, linear.gainMaxDB) = (0, 0, 0, 0, 0)
        let summing = try SeparationBatchSource(mode: .dynamic(pool), sampleRate: 8_000, randomPolarity: true,
                                                augmenter: SourceAugmenter(settings: linear, sampleRate: 8_000))
        for seed in 0..<3 as Range<UInt64> {
            var rng = SplitMix64(seed: seed)
            let batch = try summing.batch(size: 2, length: 2_000, using: &rng)
            for row in 0..<2 {
                let (mixture, sources) = Self.rows(batch, row)
                #expect(mixture == SignalLevel.sum(sources), "seed \(seed) row \(row)")
            }
        }
    }

    @Test func augmentedRunResumesExactlyAndOldRunsDecodeWithoutIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try SeparationTrainerTests.corpus(dir)
        func settings(_ augmentation: SourceAugmentationSettings?) -> SeparationTrainingSettings {
            var settings = SeparationTrainerTests.settings(data: data, steps: 4)
            settings.augmentation = augmentation
            return settings
        }
        func start(_ name: String, _ augmentation: SourceAugmentationSettings?) throws -> SeparationTrainer {
            try FileManager.default.createDirectory(atPath: dir.file(name), withIntermediateDirectories: true)
            return try SeparationTrainer(settings: settings(augmentation), runDirectory: dir.file(name), resume: false)
        }
        let straight = try start("straight", Self.everything)
        #expect(straight.training.augmenter?.settings == Self.everything)
        for i in 0..<4 { #expect(try straight.trainStep(i)["loss"]!.isFinite) }
        let split = try start("split", Self.everything)
        for i in 0..<2 { _ = try split.trainStep(i) }
        try split.saveCheckpoint(2)
        let resumed = try SeparationTrainer(settings: settings(nil), runDirectory: dir.file("split"), resume: true)
        #expect(resumed.settings.augmentation == Self.everything)
        for i in 2..<4 { _ = try resumed.trainStep(i) }
        let a = straight.model.stateDict(), b = resumed.model.stateDict()
        for key in a.keys { #expect(a[key]!.scalars == b[key]!.scalars, "\(key) differs after resume") }
        // The augmented run's weights are not the plain run's.
        let plain = try start("plain", nil)
        for i in 0..<4 { _ = try plain.trainStep(i) }
        #expect(plain.model.stateDict().contains { a[$0.key]!.scalars != $0.value.scalars })

        // Checkpoints from before the option lack the key and decode as off; the key is written only when on.
        let json = String(decoding: try JSONEncoder().encode(settings(nil)), as: UTF8.self)
        #expect(!json.contains("augmentation"))
        #expect(try JSONDecoder().decode(SeparationTrainingSettings.self, from: Data(json.utf8)).augmentation == nil)
        let on = String(decoding: try JSONEncoder().encode(settings(Self.everything)), as: UTF8.self)
        #expect(on.contains("\"augmentation\":{") && on.contains("\"mu_law_probability\":1"))
        #expect(try JSONDecoder().decode(SeparationTrainingSettings.self, from: Data(on.utf8)).augmentation == Self.everything)

        // A resume may turn it on (the defaults, or a run's own settings kept), replace it, or turn it off.
        try plain.saveCheckpoint(4)
        let turnedOn = try SeparationTrainer(settings: settings(nil), runDirectory: dir.file("plain"), resume: true, augment: true)
        #expect(turnedOn.settings.augmentation == SourceAugmentationSettings() && turnedOn.training.augmenter != nil)
        let kept = try SeparationTrainer(settings: settings(nil), runDirectory: dir.file("split"), resume: true, augment: true)
        #expect(kept.settings.augmentation == Self.everything)
        var custom = SourceAugmentationSettings()
        custom.reverbProbability = 0.5
        let replaced = try SeparationTrainer(settings: settings(nil), runDirectory: dir.file("split"), resume: true, augmentation: custom)
        #expect(replaced.settings.augmentation == custom)
        let turnedOff = try SeparationTrainer(settings: settings(nil), runDirectory: dir.file("split"), resume: true, augment: false)
        #expect(turnedOff.settings.augmentation == nil && turnedOff.training.augmenter == nil)
        custom.speedMin = 3
        #expect(throws: DatasetError.self) {
            try SeparationTrainer(settings: settings(nil), runDirectory: dir.file("split"), resume: true, augmentation: custom)
        }
    }
}
