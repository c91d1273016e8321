import AudioDatasets
import AudioIO
import Foundation
import TensorCore
import Testing
import TestSupport
@testable import Training

@Suite("Augmentation and data sources")
struct DataTests {
    let bank = NoiseBank(signals: [(0..<32_000).map { Float(sin(Double($0) * 0.37)) * 0.1 }], names: ["tone"])

    @Test func viewsWithoutAugmentationAreTheCenteredWindow() throws {
        let source = (0..<24_000).map { Float($0) / 24_000 }
        let augmenter = try WaveformAugmenter(settings: .none, sampleRate: 16_000, noises: bank)
        var rng = SplitMix64(seed: 1)
        let view = try augmenter.view(of: source, center: 12_000, length: 16_000, using: &rng)
        #expect(view == Array(source[4_000..<20_000]))
    }

    @Test func gainShiftAndSpeedDoWhatTheySay() throws {
        let source = (0..<24_000).map { Float(sin(Double($0) * 0.05)) * 0.5 }
        var settings = AugmentationSettings.none
        settings.gainMinDB = -6; settings.gainMaxDB = -6
        var rng = SplitMix64(seed: 1)
        let quieter = try WaveformAugmenter(settings: settings, sampleRate: 16_000, noises: bank).view(of: source, center: 12_000, length: 16_000, using: &rng)
        #expect(abs(quieter[100] / source[4_100] - Float(pow(10, -6.0 / 20))) < 1e-5)
        settings = .none
        settings.speedMin = 1.1; settings.speedMax = 1.1
        let faster = try WaveformAugmenter(settings: settings, sampleRate: 16_000, noises: bank).view(of: source, center: 12_000, length: 16_000, using: &rng)
        #expect(faster.count == 16_000)
        // A 1.1x faster sine has 1.1x as many zero crossings.
        func crossings(_ x: ArraySlice<Float>) -> Int { zip(x, x.dropFirst()).filter { ($0 < 0) != ($1 < 0) }.count }
        let ratio = Double(crossings(faster[1000..<15_000])) / Double(crossings(source[5000..<19_000]))
        #expect(abs(ratio - 1.1) < 0.03)
        settings = .none
        settings.noiseProbability = 1; settings.snrMinDB = 10; settings.snrMaxDB = 10
        let noisy = try WaveformAugmenter(settings: settings, sampleRate: 16_000, noises: bank).view(of: source, center: 12_000, length: 16_000, using: &rng)
        let added = zip(noisy, source[4_000..<20_000]).map { $0 - $1 }
        let snr = 20 * log10(SignalLevel.rms(Array(source[4_000..<20_000])) / SignalLevel.rms(added))
        #expect(abs(snr - 10) < 0.01)
    }

    @Test func viewsFollowTheSeed() throws {
        let source = (0..<24_000).map { Float(sin(Double($0) * 0.05)) }
        let augmenter = try WaveformAugmenter(settings: AugmentationSettings(), sampleRate: 16_000, noises: bank)
        var a = SplitMix64(seed: 5), b = SplitMix64(seed: 5)
        #expect(try augmenter.view(of: source, center: 12_000, length: 16_000, using: &a) == augmenter.view(of: source, center: 12_000, length: 16_000, using: &b))
    }

    @Test func theChannelStageBandLimitsTheViewAndFollowsTheSeed() throws {
        // A 6 kHz tone: a band limit (always on here, at 3.4-5.5 kHz) removes it; without the stage it passes.
        let source = (0..<24_000).map { Float(0.3 * sin(2 * Double.pi * 6_000 * Double($0) / 16_000)) }
        var channel = SourceAugmentationSettings.off
        channel.bandLimitProbability = 1
        let plain = AugmentationSettings.none
        var limited = AugmentationSettings.none
        limited.channel = channel
        let augmenter = try WaveformAugmenter(settings: limited, sampleRate: 16_000, noises: bank)
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9), c = SplitMix64(seed: 9)
        let view = try augmenter.view(of: source, center: 12_000, length: 16_000, using: &a)
        let again = try augmenter.view(of: source, center: 12_000, length: 16_000, using: &b)
        #expect(view.count == 16_000 && view == again)
        let untouched = try WaveformAugmenter(settings: plain, sampleRate: 16_000, noises: bank).view(of: source, center: 12_000, length: 16_000, using: &c)
        #expect(SignalLevel.rms(Array(untouched[2_000...])) > 0.2)
        #expect(SignalLevel.rms(Array(view[2_000...])) < 0.003)
        // Old settings (no "channel" key) decode with the stage off.
        let json = #"{"speed_min":0.9,"speed_max":1.1,"gain_min_db":-6,"gain_max_db":6,"noise_probability":0.8,"snr_min_db":0,"snr_max_db":20,"max_shift_seconds":0.1}"#
        #expect(try JSONDecoder().decode(AugmentationSettings.self, from: Data(json.utf8)) == AugmentationSettings())
    }

    @Test func spectrogramMasksCoverWholeBandsWithinTheirLimits() {
        let (batch, frames, bins) = (6, 101, 40)
        let features = Tensor([Float](repeating: 1, count: batch * frames * bins), shape: [batch, frames, bins])
        var rng = SplitMix64(seed: 3)
        SpectrogramMasking(timeMasks: 1, maxFrames: 10, frequencyMasks: 1, maxBins: 6).apply(to: features, fill: -7, using: &rng)
        let x = features.scalars
        var maskedSomething = false
        for b in 0..<batch {
            let cell = { (t: Int, m: Int) in x[(b * frames + t) * bins + m] }
            // A fully masked frame is a time mask; a fully masked bin a mel mask; every other cell is untouched.
            let maskedFrames = (0..<frames).filter { t in (0..<bins).allSatisfy { cell(t, $0) == -7 } }
            let maskedBins = (0..<bins).filter { m in (0..<frames).allSatisfy { cell($0, m) == -7 } }
            #expect(maskedFrames.count <= 10 && maskedBins.count <= 6)
            #expect(maskedFrames.count == (maskedFrames.last.map { $0 - maskedFrames[0] + 1 } ?? 0))   // one contiguous band
            #expect(maskedBins.count == (maskedBins.last.map { $0 - maskedBins[0] + 1 } ?? 0))
            for t in 0..<frames { for m in 0..<bins where !maskedFrames.contains(t) && !maskedBins.contains(m) { #expect(cell(t, m) == 1) } }
            maskedSomething = maskedSomething || !maskedFrames.isEmpty || !maskedBins.isEmpty
        }
        #expect(maskedSomething)
    }

    @Test func unlabeledPoolResamplesAndSkipsSilence() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // 3 s at 8 kHz: 2 s of digital silence, then 1 s of tone.
        let samples = (0..<24_000).map { $0 < 16_000 ? Float(0) : Float(sin(Double($0) * 0.2)) * 0.3 }
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: samples), to: dir.file("a.flac"))
        _ = FileManager.default.createFile(atPath: dir.file("notes.wav"), contents: Data("not audio".utf8))
        let pool = try UnlabeledAudioPool(folders: [dir.path], sampleRate: 16_000, minimumLength: 8_000)
        #expect(pool.files.count == 1 && pool.skipped.count == 1)
        #expect(abs(pool.totalSeconds - 3) < 0.01)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<20 {
            let crop = pool.crop(length: 8_000, margin: 100, using: &rng)
            #expect(crop.count == 8_200)
            #expect(20 * log10(max(SignalLevel.rms(Array(crop[100..<8_100])), 1e-12)) >= -50)
        }
        #expect(throws: TrainingError.self) { try UnlabeledAudioPool(folders: [dir.path], sampleRate: 16_000, minimumLength: 100_000) }
    }

    @Test func poolCropsOneChosenFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Two files of constant level: 0.1 and 0.4.
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: [Float](repeating: 0.1, count: 20_000)), to: dir.file("a.wav"))
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: [Float](repeating: 0.4, count: 20_000)), to: dir.file("b.wav"))
        let pool = try UnlabeledAudioPool(folders: [dir.path], sampleRate: 16_000, minimumLength: 8_000)
        #expect(pool.count == 2 && pool.signal(1).count == 20_000)
        var rng = SplitMix64(seed: 4)
        for file in [0, 1, 1, 0] {
            let crop = pool.crop(file: file, length: 16_000, margin: 0, using: &rng)
            let level = pool.signal(file)[0]
            #expect(crop.count == 16_000 && abs(crop[8_000] - level) < 1e-3)
        }
    }

    /// A log-mel `[T, 40]` of one made-up "word": a sequence of spectral peaks (`track`, mel bins over time),
    /// stretched to `frames` spoken frames, placed at `offset` in 101 frames, at a gain (log offset), over a noise floor.
    static func word(_ track: [Float], frames: Int, offset: Int, gain: Float, floor: Float, tilt: Float, rng: inout SplitMix64) -> [Float] {
        var out = [Float](repeating: 0, count: 101 * 40)
        for t in 0..<101 {
            for k in 0..<40 {
                let noise = Float(rng.next() % 1000) / 1000 * 0.5
                out[t * 40 + k] = floor + noise + tilt * Float(k) / 40
            }
        }
        for f in 0..<frames {
            let peak = track[min(track.count - 1, f * track.count / frames)]
            for k in 0..<40 {
                let distance = (Float(k) - peak) / 3
                out[(offset + f) * 40 + k] += gain + 6 * Float(exp(-Double(distance * distance))) + tilt * Float(k) / 40
            }
        }
        return out
    }

    @Test func acousticNeighborsPairTheSameWordAcrossRateLevelAndNoise() {
        // Three "words" (rising, falling, and rise-fall peak tracks), each said four ways: 30-60 frames long, at
        // different places, gains, noise floors and spectral tilts. Each version's neighbours are the same word.
        let tracks: [[Float]] = [[5, 10, 15, 20, 25, 30, 35], [35, 30, 25, 20, 15, 10, 5], [8, 20, 32, 20, 8, 20, 32]]
        var rng = SplitMix64(seed: 9)
        var logMels: [[Float]] = [], truth: [Int] = []
        for version in 0..<4 {
            for (word, track) in tracks.enumerated() {
                logMels.append(Self.word(track, frames: 30 + 10 * version, offset: 5 + 9 * version, gain: Float(version) - 1.5,
                                         floor: -10 + Float(version), tilt: Float(version % 2) * 2, rng: &rng))
                truth.append(word)
            }
        }
        let found = AcousticNeighbors(logMels: logMels, melCount: 40, count: 3, blockRows: 5)
        #expect(found.neighbors.count == 12)
        for (i, list) in found.neighbors.enumerated() {
            #expect(list.count == 3 && !list.contains(i) && Set(list).count == 3)
            #expect(list.allSatisfy { truth[$0] == truth[i] }, "recording \(i) (word \(truth[i])): neighbours \(list.map { truth[$0] })")
        }
        // The template ignores where the word is and how fast it is said: a stretched, shifted copy (no noise) matches.
        var quiet = SplitMix64(seed: 1)
        let a = AcousticNeighbors.template(Self.word(tracks[0], frames: 35, offset: 10, gain: 0, floor: -10, tilt: 0, rng: &quiet), melCount: 40)
        let b = AcousticNeighbors.template(Self.word(tracks[0], frames: 35, offset: 50, gain: 0, floor: -10, tilt: 0, rng: &quiet), melCount: 40)
        #expect(a.count == AcousticNeighbors.templateFrames * 40)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 0.6 })
    }
}
