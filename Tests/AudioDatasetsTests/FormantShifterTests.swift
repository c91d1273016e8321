import AudioDatasets
import Foundation
import Testing

/// The formant shift moves a vowel's resonances and leaves its pitch.
@Suite struct FormantShifterTests {
    /// A vowel-like signal: a 120 Hz pulse train through resonances at `formants` (Hz), `[count]`.
    static func vowel(formants: [Double], sampleRate: Int, count: Int) -> [Float] {
        let period = Double(sampleRate) / 120
        var x = [Float](repeating: 0, count: count)
        var t = 0.0
        while Int(t) < count { x[Int(t)] = 1; t += period }
        for f in formants {
            Biquad.peaking(frequency: f, gainDB: 30, q: 6, sampleRate: sampleRate).apply(to: &x)
        }
        return SignalLevel.scaled(x, toRMS: -20)
    }

    /// Amplitude of the component at `frequency` over the middle half of `x` (a single DFT bin on a Hann window).
    static func amplitude(_ x: [Float], at frequency: Double, sampleRate: Int) -> Double {
        let start = x.count / 4, n = x.count / 2
        var re = 0.0, im = 0.0
        for i in 0..<n {
            let w = 0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(n))
            let phase = 2 * Double.pi * frequency * Double(start + i) / Double(sampleRate)
            re += w * Double(x[start + i]) * cos(phase)
            im -= w * Double(x[start + i]) * sin(phase)
        }
        return (re * re + im * im).squareRoot() / Double(n)
    }

    /// The harmonic of 120 Hz with the most energy between `low` and `high` Hz.
    static func strongestHarmonic(_ x: [Float], from low: Double, to high: Double, sampleRate: Int) -> Double {
        let harmonics = stride(from: (low / 120).rounded(.up) * 120, through: high, by: 120).map { $0 }
        return harmonics.max { amplitude(x, at: $0, sampleRate: sampleRate) < amplitude(x, at: $1, sampleRate: sampleRate) }!
    }

    @Test(arguments: [(16_000, 1.25), (8_000, 1.25), (16_000, 0.8)])
    func resonancesMoveAndHarmonicsStay(sampleRate: Int, factor: Double) {
        let x = Self.vowel(formants: [720, 1_920], sampleRate: sampleRate, count: sampleRate)
        let y = FormantShifter(sampleRate: sampleRate).shift(x, by: factor)
        #expect(y.count == x.count)
        #expect(Self.strongestHarmonic(x, from: 300, to: 1_200, sampleRate: sampleRate) == 720)
        #expect(Self.strongestHarmonic(x, from: 1_300, to: 3_000, sampleRate: sampleRate) == 1_920)
        // The resonances land within a harmonic of 720 x factor and 1920 x factor.
        let first = Self.strongestHarmonic(y, from: 300, to: 1_200, sampleRate: sampleRate)
        let second = Self.strongestHarmonic(y, from: 1_300, to: 3_000, sampleRate: sampleRate)
        #expect(abs(first - 720 * factor) <= 120, "first formant at \(first) Hz, expected near \(720 * factor)")
        #expect(abs(second - 1_920 * factor) <= 120, "second formant at \(second) Hz, expected near \(1_920 * factor)")
        // The pitch stays: the energy is still at multiples of 120 Hz, not between them.
        let onHarmonics = (1...20).map { Self.amplitude(y, at: 120 * Double($0), sampleRate: sampleRate) }.reduce(0, +)
        let between = (1...20).map { Self.amplitude(y, at: 120 * Double($0) + 60, sampleRate: sampleRate) }.reduce(0, +)
        #expect(onHarmonics > 10 * between, "harmonics \(onHarmonics), between \(between)")
    }

    @Test func unitFactorIsTheIdentityAndTheShiftIsDeterministic() {
        let x = Self.vowel(formants: [500, 1_500], sampleRate: 8_000, count: 4_000)
        let shifter = FormantShifter(sampleRate: 8_000)
        #expect(shifter.shift(x, by: 1) == x)
        #expect(shifter.shift(x, by: 1.1) == shifter.shift(x, by: 1.1))
        #expect(shifter.frameLength == 256 && shifter.hopLength == 64 && shifter.predictorOrder == 12)
        // The level stays within a few dB: the envelope is moved, not raised.
        let level = 20 * log10(SignalLevel.rms(shifter.shift(x, by: 1.15)) / SignalLevel.rms(x))
        #expect(abs(level) < 4, "level changed by \(level) dB")
    }
}
