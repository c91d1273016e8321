import AudioDatasets
import AudioIO
import DSP
import Foundation
import TensorCore
import Testing
import TestSupport
import Training

@Suite struct StreamContextAugmenterTests {
    /// A pool of 4 s of "running speech" (a 3 kHz tone plus a 6 kHz tone, never silent).
    static func pool(in dir: TemporaryDirectory) throws -> UnlabeledAudioPool {
        let speech = (0..<64_000).map { i -> Float in
            let t = Double(i) / 16_000
            return Float(0.2 * sin(2 * .pi * 3_000 * t) + 0.1 * sin(2 * .pi * 6_000 * t))
        }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: speech), to: dir.file("speech.wav"))
        return try UnlabeledAudioPool(folders: [dir.path], sampleRate: 16_000, minimumLength: 16_000)
    }

    /// 1 s with a "word" (a 500 Hz burst) at 0.4-0.6 s.
    static let clip = (0..<16_000).map { i -> Float in (6_400..<9_600).contains(i) ? Float(0.3 * sin(Double(i) * 0.2)) : 0 }

    @Test func surroundingSpeechKeepsItsDistanceFromTheWord() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let settings = StreamContextSettings(surroundProbability: 1, gapMinSeconds: 0.2, gapMaxSeconds: 0.3)
        let context = StreamContextAugmenter(settings: settings, pool: try Self.pool(in: dir))
        #expect(context.activeRegion(of: Self.clip) == 6_400..<9_600)
        #expect(context.activeRegion(of: [Float](repeating: 0, count: 100)) == nil)
        var rng = SplitMix64(seed: 1)
        for _ in 0..<10 {
            let source = context.surround(Self.clip, using: &rng)
            #expect(source.count == 48_000)
            // The word is untouched, and nothing was added within 0.2 s of it.
            #expect(Array(source[(16_000 + 6_400)..<(16_000 + 9_600)]) == Array(Self.clip[6_400..<9_600]))
            #expect(source[(16_000 + 3_200)..<(16_000 + 6_400)].allSatisfy { $0 == 0 })
            #expect(source[(16_000 + 9_600)..<(16_000 + 12_800)].allSatisfy { $0 == 0 })
            // Speech was added before and after.
            #expect(SignalLevel.rms(Array(source[0..<16_000])) > 0.01 && SignalLevel.rms(Array(source[32_000..<48_000])) > 0.01)
        }
        let never = StreamContextAugmenter(settings: StreamContextSettings(surroundProbability: 0), pool: context.pool)
        #expect(Array(never.surround(Self.clip, using: &rng)[16_000..<32_000]) == Self.clip)
    }

    /// With a keyword tail, a keyword's view ends at least the tail after the word whatever the speed and shift; an
    /// early view ends at most half the tail after it; a word too long for its tail keeps its place (nil).
    @Test func aKeywordTailKeepsTheWordsEndInsideTheView() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let settings = StreamContextSettings(surroundProbability: 0, keywordTailSeconds: 0.2, earlyShare: 0.5)
        let context = StreamContextAugmenter(settings: settings, pool: try Self.pool(in: dir))
        let augmentation = AugmentationSettings(speedMin: 0.9, speedMax: 1.1, noiseProbability: 0, maxShiftSeconds: 0.1)
        let augmenter = try WaveformAugmenter(settings: augmentation, sampleRate: 16_000, noises: NoiseBank(signals: [[Float](repeating: 0, count: 16_000)], names: ["quiet"]))
        var rng = SplitMix64(seed: 4)
        // A word at 0.9-0.99 s of its clip (a burst ending near the clip's end), in the middle third of its source.
        let late = (0..<16_000).map { i -> Float in (14_400..<15_840).contains(i) ? Float(0.3 * sin(Double(i) * 0.2)) : 0 }
        let source = context.surround(late, using: &rng)
        let word = try #require(context.activeRegion(of: late))
        let inSource = (word.lowerBound + 16_000)..<(word.upperBound + 16_000)
        for trial in 0..<40 {
            let early = trial % 2 == 1
            let center = try #require(context.keywordCenter(24_000, word: inSource, length: 16_000, view: augmentation, early: early, using: &rng))
            let view = try augmenter.view(of: source, center: center, length: 16_000, using: &rng)
            // Samples after the word's last loud sample in the view (an early view may end before the word begins).
            let last = view.lastIndex { abs($0) > 0.05 }
            if early {
                #expect(last.map { 16_000 - 1 - $0 <= 1_600 } ?? true, "early view: \(16_000 - 1 - last!) samples after the word")
            } else {
                let after = 16_000 - 1 - (try #require(last))
                #expect(after >= 3_200 - 160, "keyword view: only \(after) samples after the word")
                #expect(abs(view[0]) < 0.05, "the word's start was cut")
            }
        }
        // No tail: the centre stays; a word that fills the view with its tail: nil.
        let none = StreamContextAugmenter(settings: StreamContextSettings(), pool: context.pool)
        #expect(none.keywordCenter(24_000, word: inSource, length: 16_000, view: augmentation, early: false, using: &rng) == 24_000)
        #expect(context.keywordCenter(24_000, word: 16_000..<28_000, length: 16_000, view: augmentation, early: false, using: &rng) == nil)
        #expect(throws: TrainingError.self) { try StreamContextSettings(keywordTailSeconds: 0.6).validate() }
        #expect(throws: TrainingError.self) { try StreamContextSettings(earlyShare: 1).validate() }
    }

    @Test func competingTalkerAndBandLimitFollowTheirSettings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pool = try Self.pool(in: dir)
        let settings = StreamContextSettings(competingProbability: 1, competingMinDB: 6, competingMaxDB: 6, narrowbandProbability: 1)
        let context = StreamContextAugmenter(settings: settings, pool: pool)
        var rng = SplitMix64(seed: 2)
        var view = Self.clip
        context.addCompetingTalker(to: &view, using: &rng)
        let added = zip(view, Self.clip).map { $0 - $1 }
        #expect(abs(20 * log10(SignalLevel.rms(Self.clip) / SignalLevel.rms(added)) - 6) < 0.01)
        // Band-limiting keeps the 3 kHz tone and removes the 6 kHz one.
        var band = context.runningSpeech(length: 16_000, levelOf: Self.clip, using: &rng)
        // Running speech comes at the level of the clip it stands in for (its word's RMS), not the pool's.
        let word = SignalLevel.rms(Array(Self.clip[6_400..<9_600]))
        #expect(abs(SignalLevel.rms(band) / word - 1) < 1e-3 && abs(SignalLevel.rms(band) / SignalLevel.rms(pool.crop(length: 16_000, margin: 0, using: &rng)) - 1) > 0.1)
        #expect(context.runningSpeech(length: 16_000, levelOf: [Float](repeating: 0, count: 100), using: &rng).count == 16_000)
        try context.limitBand(&band, using: &rng)
        var configuration = FeatureConfiguration()
        configuration.stft = STFTConfiguration(nFFT: 512, windowLength: 512, hopLength: 256, window: .hann, center: false)
        let (spectrum, frames) = try FeatureExtractor(kind: .stft, configuration: configuration).extract(band)
        let bins = 257
        func energy(_ bin: Int) -> Float { (2..<(frames - 2)).reduce(0) { $0 + spectrum[$1 * bins + bin] } }
        #expect(energy(96) > 100 * energy(192), "3 kHz: \(energy(96)), 6 kHz: \(energy(192))")
        // Decoding settings written before band-limiting existed.
        let old = try JSONDecoder().decode(StreamContextSettings.self, from: Data("""
            {"surround_probability": 0.5, "gap_min_seconds": 0.15, "gap_max_seconds": 0.5, "level_min_db": -6, "level_max_db": 6,
             "competing_probability": 0.2, "competing_min_db": 0, "competing_max_db": 15, "running_unknown_share": 0.5}
            """.utf8))
        #expect(old.narrowbandProbability == 0 && old.surroundProbability == 0.5)
    }
}
