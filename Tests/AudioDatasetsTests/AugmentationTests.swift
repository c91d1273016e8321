import AudioDatasets
import Foundation
import TensorCore
import Testing

/// The separator's training augmentation: rooms measure the reverberation time and delay they were built with,
/// filters do what their specifications say, the codec's error is bounded, and the augmenter is deterministic and
/// keeps the mixture the sum of its sources up to the mixture-only stage.
@Suite struct AugmentationTests {
    /// A tone of `frequency` Hz, `[count]`.
    static func tone(_ frequency: Double, count: Int, sampleRate: Int, amplitude: Float = 0.1) -> [Float] {
        (0..<count).map { amplitude * Float(sin(2 * Double.pi * frequency * Double($0) / Double(sampleRate))) }
    }

    /// Gain in dB of `output` against `input`, over their second halves (past any filter's transient).
    static func gainDB(_ output: [Float], _ input: [Float]) -> Double {
        let half = input.count / 2
        return 20 * log10(SignalLevel.rms(Array(output[half...])) / SignalLevel.rms(Array(input[half...])))
    }

    /// Speech-like test sources: noise through a random resonance, at -25 dBFS, `[count]`.
    static func sources(_ count: Int, length: Int, seed: UInt64) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { c in
            var x = (0..<length).map { _ in rng.nextNormal() }
            Biquad.peaking(frequency: 300 + 400 * Double(c), gainDB: 20, q: 2, sampleRate: 8_000).apply(to: &x)
            return SignalLevel.scaled(x, toRMS: -25)
        }
    }

    @Test(arguments: [
        ([7, 5, 3], 8_000, 0.25), ([7, 5, 3], 8_000, 0.5), ([10, 8, 4], 16_000, 0.8), ([4, 3, 2.5], 8_000, 0.2),
        ([3, 3, 2.4], 8_000, 0.9), ([9, 7, 3], 16_000, 0.4),
    ] as [(SIMD3<Double>, Int, Double)])
    func roomsHaveTheReverberationTimeAsked(size: SIMD3<Double>, sampleRate: Int, time: Double) throws {
        let room = try ShoeboxRoom(size: size, reverberationTime: time)
        var rng = SplitMix64(seed: 3)
        let rir = room.impulseResponse(source: [1.2, 1.5, 1.7], microphone: [2.4, 2.2, 1.2], sampleRate: sampleRate, using: &rng)
        let measured = try #require(RoomImpulseResponse.measuredReverberationTime(rir.taps, sampleRate: sampleRate))
        #expect(abs(measured - time) / time < 0.2, "\(size) m: asked \(time) s, measured \(measured) s")
        #expect(Double(rir.taps.count) / Double(sampleRate) > time)
    }

    @Test func imagesAloneDecayAsEyringSays() throws {
        // No statistical tail: every reflection of the 0.3 s response is an image, so this checks the absorption.
        // (In flat rooms the images decay slower than Eyring's formula: paths along the long sides meet fewer
        // walls, and their energy outlasts the average; 9 x 7 x 3 m measures 40% long. This room is near a cube.)
        let room = try ShoeboxRoom(size: [5, 4.5, 4], reverberationTime: 0.3)
        #expect(room.absorption > 0 && room.absorption < 1)
        var rng = SplitMix64(seed: 1)
        let rir = room.impulseResponse(source: [1.5, 1.2, 1.6], microphone: [3.1, 2.5, 1.1], sampleRate: 8_000,
                                       imageSeconds: .infinity, using: &rng)
        #expect(rng.state == 1, "a response without a tail draws nothing")
        let measured = try #require(RoomImpulseResponse.measuredReverberationTime(rir.taps, sampleRate: 8_000))
        #expect(abs(measured - 0.3) / 0.3 < 0.15, "asked 0.3 s, measured \(measured) s")
    }

    @Test func directSoundArrivesAfterItsTravelTime() throws {
        let room = try ShoeboxRoom(size: [9, 6, 3.5], reverberationTime: 0.4)
        let source: SIMD3<Double> = [1, 1, 1.5], microphone: SIMD3<Double> = [7.3, 4.1, 1.2]
        let distance = ((source - microphone) * (source - microphone)).sum().squareRoot()
        var rng = SplitMix64(seed: 9)
        let rir = room.impulseResponse(source: source, microphone: microphone, sampleRate: 16_000, using: &rng)
        #expect(abs(rir.directDelay - distance / 343 * 16_000) < 1e-9 && rir.directDistance == distance)
        // The largest tap is the direct sound's, at the nearest sample to its delay; nothing comes before it except
        // the interpolator's leading taps.
        let peak = rir.taps.indices.max { abs(rir.taps[$0]) < abs(rir.taps[$1]) }!
        #expect(peak == Int(rir.directDelay.rounded()), "peak at \(peak), direct sound at \(rir.directDelay)")
        #expect(rir.taps[..<(Int(rir.directDelay) - 8)].allSatisfy { $0 == 0 })
        // Its height: 1/r times the interpolator's value at the sample (the 40 Hz high-pass takes about 1%).
        let offset = Double.pi * (Double(peak) - rir.directDelay)
        let expected = (offset == 0 ? 1 : sin(offset) / offset) * 0.5 * (1 + cos(offset / 8)) / distance
        #expect(abs(Double(rir.taps[peak]) - expected) < 0.03 * expected, "1/r: \(rir.taps[peak]) vs \(expected)")
        // Early part: the direct sound and 50 ms.
        #expect(rir.early(seconds: 0.05).count == Int((rir.directDelay + 800).rounded()))
    }

    @Test func roomsRefuseImpossibleSizes() {
        #expect(throws: DatasetError.invalidOption(name: "room size", value: "0.5 x 4.0 x 3.0 m", reason: "each side must be 1-100 m")) {
            try ShoeboxRoom(size: [0.5, 4, 3], reverberationTime: 0.3)
        }
    }

    @Test func fftConvolutionEqualsDirectConvolution() {
        var rng = SplitMix64(seed: 2)
        let signal = (0..<3_000).map { _ in rng.nextNormal() }, kernel = (0..<700).map { _ in rng.nextNormal() * 0.1 }
        let fast = FFTConvolution.convolve(signal, with: [kernel, [1]], length: 2_500)
        for t in stride(from: 0, to: 2_500, by: 7) {
            var direct: Float = 0
            for k in 0...min(t, kernel.count - 1) { direct += kernel[k] * signal[t - k] }
            #expect(abs(fast[0][t] - direct) < 1e-4, "t \(t): \(fast[0][t]) vs \(direct)")
        }
        #expect(zip(fast[1], signal.prefix(2_500)).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test(arguments: [8_000, 16_000])
    func bandLimitCutsAboveAndPassesBelow(sampleRate: Int) {
        for cutoff in [3_400.0, 4_000, 5_500, 8_000] where cutoff < Double(sampleRate) / 2 {
            let filter = FilterCascade.butterworthLowPass(cutoff: cutoff, order: SourceAugmenter.bandLimitOrder, sampleRate: sampleRate)
            let above = min(1.5 * cutoff, (cutoff + Double(sampleRate) / 2) / 2), below = 0.7 * cutoff
            var high = Self.tone(above, count: sampleRate / 2, sampleRate: sampleRate)
            var low = Self.tone(below, count: sampleRate / 2, sampleRate: sampleRate)
            let (highIn, lowIn) = (high, low)
            filter.apply(to: &high)
            filter.apply(to: &low)
            #expect(Self.gainDB(high, highIn) < -40, "\(cutoff) Hz at \(sampleRate) Hz: \(above) Hz only \(Self.gainDB(high, highIn)) dB")
            #expect(abs(Self.gainDB(low, lowIn)) < 1, "\(cutoff) Hz at \(sampleRate) Hz: \(below) Hz at \(Self.gainDB(low, lowIn)) dB")
            #expect(abs(filter.magnitude(at: cutoff, sampleRate: sampleRate) - 0.5.squareRoot()) < 1e-6)
        }
    }

    @Test func onlyCutoffsBelowNyquistAreUsed() throws {
        #expect(try SourceAugmenter(settings: SourceAugmentationSettings(), sampleRate: 8_000).bandLimitCutoffs == [3_400])
        #expect(try SourceAugmenter(settings: SourceAugmentationSettings(), sampleRate: 16_000).bandLimitCutoffs == [3_400, 4_000, 5_500])
        // Through the augmenter: a tone below every cutoff and one above, as an example's two sources.
        let settings = SourceAugmentationSettings(
            speedProbability: 0, formantProbability: 0, equalizerProbability: 0, reverbProbability: 0, bandLimitProbability: 1)
        let augmenter = try SourceAugmenter(settings: settings, sampleRate: 16_000)
        let sources = [Self.tone(2_300, count: 8_000, sampleRate: 16_000), Self.tone(7_000, count: 8_000, sampleRate: 16_000)]
        var chosen: Set<Double> = []
        for seed in 0..<12 as Range<UInt64> {
            var rng = SplitMix64(seed: seed)
            let example = try augmenter.augmentSources(sources, length: 8_000, using: &rng)
            let cutoff = try #require(example.bandLimit)
            #expect(abs(Self.gainDB(example.mixed[0], sources[0])) < 1 && Self.gainDB(example.mixed[1], sources[1]) < -40, "\(cutoff) Hz")
            #expect(example.targets == example.mixed)
            chosen.insert(cutoff)
        }
        #expect(chosen == [3_400, 4_000, 5_500])
    }

    @Test func equalizerSectionsDoWhatTheySay() {
        var rng = SplitMix64(seed: 4)
        let x = (0..<4_000).map { _ in rng.nextNormal() * 0.1 }
        // Zero gain: the identity.
        var flat = x
        FilterCascade([.peaking(frequency: 700, gainDB: 0, q: 1.3, sampleRate: 8_000),
                       .shelf(gainDB: 0, frequency: 900, sampleRate: 8_000)]).apply(to: &flat)
        #expect(zip(flat, x).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) })
        // A bell: its gain at its centre, nothing far away.
        let bell = Biquad.peaking(frequency: 1_000, gainDB: 6, q: 1, sampleRate: 8_000)
        var centre = Self.tone(1_000, count: 8_000, sampleRate: 8_000), far = Self.tone(60, count: 8_000, sampleRate: 8_000)
        let (centreIn, farIn) = (centre, far)
        bell.apply(to: &centre)
        bell.apply(to: &far)
        #expect(abs(Self.gainDB(centre, centreIn) - 6) < 0.1 && abs(Self.gainDB(far, farIn)) < 0.2)
        // The tilt: 0 dB at DC, its gain at Nyquist, half of it (in dB) at its centre.
        let tilt = Biquad.shelf(gainDB: -6, frequency: 800, sampleRate: 8_000)
        #expect(abs(tilt.magnitude(at: 0, sampleRate: 8_000) - 1) < 1e-9)
        #expect(abs(20 * log10(tilt.magnitude(at: 4_000, sampleRate: 8_000)) + 6) < 1e-6)
        #expect(abs(20 * log10(tilt.magnitude(at: 800, sampleRate: 8_000)) + 3) < 0.1)
    }

    @Test func muLawErrorIsBounded() {
        var x = (-1_100...1_100).map { Float($0) / 1_000 }
        let input = x
        MuLaw.roundTrip(&x)
        for (y, v) in zip(x, input) {
            let clipped = min(max(v, -1), 1)
            #expect(abs(y - clipped) <= 8.8e-5 * (1 + 255 * abs(clipped)) + 1e-7, "\(v) -> \(y)")
            #expect(y == 0 || (y > 0) == (v > 0))
        }
        #expect(MuLaw.decode(MuLaw.encode(0)) == 0 && MuLaw.decode(MuLaw.encode(1)) == 1 && MuLaw.decode(MuLaw.encode(-3)) == -1)
        #expect(Set((0...255).map { MuLaw.decode(UInt8($0)) }).count == 255)   // +0 and -0 are one level
    }

    @Test func augmenterIsSeededAndKeepsTheMixtureTheSumOfItsSources() throws {
        let everything = SourceAugmentationSettings(
            speedProbability: 1, formantProbability: 1, equalizerProbability: 1, reverbProbability: 1, bandLimitProbability: 1,
            noiseProbability: 1, clipProbability: 1, muLawProbability: 1, codecProbability: 1)
        let augmenter = try SourceAugmenter(settings: everything, sampleRate: 8_000)
        let length = 6_000
        let crops = Self.sources(2, length: augmenter.inputLength(for: length), seed: 1)
        #expect(augmenter.inputLength(for: length) > length * 11 / 10)
        func run(_ seed: UInt64) throws -> (SourceAugmenter.AugmentedExample, [Float], Float) {
            var rng = SplitMix64(seed: seed)
            let example = try augmenter.augmentSources(crops, length: length, using: &rng)
            var mixture = SignalLevel.sum(example.mixed)
            let gain = try augmenter.degradeMixture(&mixture, bandLimit: example.bandLimit, using: &rng)
            return (example, mixture, gain)
        }
        let (a, mixtureA, gainA) = try run(5), (b, mixtureB, gainB) = try run(5), (c, _, _) = try run(6)
        #expect(a.mixed == b.mixed && a.targets == b.targets && mixtureA == mixtureB && gainA == gainB)
        #expect(a.mixed != c.mixed)
        #expect(a.mixed.allSatisfy { $0.count == length } && a.targets == a.mixed && a.bandLimit == 3_400)
        // The mixture-only stage changed the mixture, not just its scale; the sources were changed too.
        let sum = SignalLevel.sum(a.mixed)
        #expect(mixtureA != sum.map { $0 * gainA })
        #expect(a.mixed[0] != Array(crops[0].prefix(length)))

        // Without the mixture-only stage and the band limit: the sources keep the levels they were given.
        let linear = SourceAugmentationSettings(
            speedProbability: 1, formantProbability: 1, equalizerProbability: 1, reverbProbability: 1, bandLimitProbability: 0,
            gainMinDB: 0, gainMaxDB: 0, clipProbability: 0, muLawProbability: 0, codecProbability: 0)
        let plain = try SourceAugmenter(settings: linear, sampleRate: 8_000)
        var rng = SplitMix64(seed: 8)
        let example = try plain.augmentSources(crops, length: length, using: &rng)
        for (source, crop) in zip(example.mixed, crops) {
            #expect(abs(20 * log10(SignalLevel.rms(source) / SignalLevel.rms(crop))) < 1e-3)
        }
        var mixture = SignalLevel.sum(example.mixed)
        let before = mixture
        #expect(try plain.degradeMixture(&mixture, bandLimit: nil, using: &rng) == 1 && mixture == before)
    }

    @Test func earlyTargetsLoseTheLateReverberation() throws {
        let settings = SourceAugmentationSettings(
            speedProbability: 0, formantProbability: 0, equalizerProbability: 0, reverbProbability: 1, reverberationTimeMin: 0.8,
            reverberationTimeMax: 0.9, reverbTarget: .early, bandLimitProbability: 1)
        let augmenter = try SourceAugmenter(settings: settings, sampleRate: 8_000)
        // A click train: each source's reverberation shows between the clicks.
        let clicks = [Float]((0..<8_000).map { $0 % 2_000 == 100 ? 0.5 : 0 })
        var rng = SplitMix64(seed: 2)
        let example = try augmenter.augmentSources([clicks, clicks], length: 8_000, using: &rng)
        for c in 0..<2 {
            // 150-250 ms after each click: late reverberation in the mixed source, none in the target.
            let late = (0..<4).flatMap { k in (1_300..<1_900).map { k * 2_000 + $0 } }
            let mixedLate = SignalLevel.rms(late.map { example.mixed[c][$0] }), targetLate = SignalLevel.rms(late.map { example.targets[c][$0] })
            #expect(mixedLate > 0 && targetLate < mixedLate * 1e-2, "source \(c): \(targetLate) vs \(mixedLate)")
        }
    }

    @Test func settingsRoundTripInSnakeCaseAndRejectWhatIsWrong() throws {
        let defaults = SourceAugmentationSettings()
        let json = String(decoding: try JSONEncoder().encode(defaults), as: UTF8.self)
        #expect(json.contains("\"rt60_max\":0.9") && json.contains("\"band_limit_cutoffs_hz\"") && json.contains("\"reverb_target\":\"reverberant\""))
        #expect(try JSONDecoder().decode(SourceAugmentationSettings.self, from: Data(json.utf8)) == defaults)
        #expect(try JSONDecoder().decode(SourceAugmentationSettings.self, from: Data("{}".utf8)) == defaults)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("augmentation-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"reverb_probability": 0, "speed_max": 1.05}"#.utf8).write(to: URL(fileURLWithPath: path))
        let partial = try SourceAugmentationSettings(contentsOf: path)
        #expect(partial.reverbProbability == 0 && partial.speedMax == 1.05 && partial.speedMin == 0.9)
        try Data(#"{"reverb_probabilty": 0}"#.utf8).write(to: URL(fileURLWithPath: path))
        let unknown = #expect(throws: DatasetError.self) { try SourceAugmentationSettings(contentsOf: path) }
        #expect(unknown?.description.contains("unknown keys reverb_probabilty") == true, "\(String(describing: unknown))")
        try Data(#"{"speed_min": 0.3}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: DatasetError.invalidOption(name: "speed_min/speed_max", value: "0.3-1.1", reason: "must be ordered and within 0.5-2.0")) {
            try SourceAugmentationSettings(contentsOf: path)
        }
        var bad = defaults
        bad.noiseProbability = 0.5
        bad.noiseKinds = [.babble]
        #expect(throws: DatasetError.self) { try bad.validate() }
        bad = defaults
        bad.roomMin = [3, 3]
        #expect(throws: DatasetError.self) { try SourceAugmenter(settings: bad, sampleRate: 8_000) }
        bad = defaults
        bad.clipProbability = 1.5
        #expect(throws: DatasetError.invalidOption(name: "clip_probability", value: "1.5", reason: "must be 0-1")) { try bad.validate() }
    }
}
