import AudioIO
import Foundation
import Testing

/// Lossy round trips in memory keep length and alignment and lose what their compression level says.
@Suite struct LossyCodecTests {
    /// Bursts of noise, low-passed, `[count]`: broadband and aperiodic, so alignment is unambiguous.
    static func signal(count: Int) -> [Float] {
        var state: UInt64 = 7
        var previous: Float = 0
        return (0..<count).map { i in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let white = Float(Int64(bitPattern: state) >> 11) / Float(1 << 52)
            previous = 0.7 * previous + 0.3 * white
            return 0.5 * previous * (i % 1_700 < 500 ? 1 : 0.25)
        }
    }

    /// The lag (output minus input, samples) of the largest cross-correlation within ±`range`.
    static func lag(_ x: [Float], _ y: [Float], range: Int = 1_200) -> Int {
        var best = (lag: 0, value: -Double.infinity)
        for lag in -range...range {
            var s = 0.0
            for i in range..<(x.count - range) { s += Double(x[i]) * Double(y[i + lag]) }
            if s > best.value { best = (lag, s) }
        }
        return best.lag
    }

    /// Signal-to-error ratio (dB).
    static func snr(_ x: [Float], _ y: [Float]) -> Double {
        let signal = x.reduce(0.0) { $0 + Double($1 * $1) }
        let error = zip(x, y).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        return 10 * log10(signal / error)
    }

    @Test(arguments: [(LossyCodec.vorbis, 8_000), (.vorbis, 16_000), (.mp3, 8_000), (.mp3, 16_000), (.mp3, 44_100)])
    func roundTripsKeepLengthAndAlignment(codec: LossyCodec, rate: Int) throws {
        let x = Self.signal(count: rate)
        let best = try codec.roundTrip(x, sampleRate: rate, compression: 0)
        let worst = try codec.roundTrip(x, sampleRate: rate, compression: 1)
        #expect(best.count == x.count && worst.count == x.count)
        #expect(Self.lag(x, best) == 0 && Self.lag(x, worst) == 0)
        let (high, low) = (Self.snr(x, best), Self.snr(x, worst))
        #expect(high > 10, "\(codec) at \(rate) Hz, best quality: \(high) dB")
        #expect(high > low + 3, "\(codec) at \(rate) Hz: \(high) dB at level 0, \(low) dB at level 1")
        #expect(try codec.roundTrip(x, sampleRate: rate, compression: 0.5) == codec.roundTrip(x, sampleRate: rate, compression: 0.5))
    }

    @Test func badLevelsAndRatesAreRefused() {
        #expect(throws: AudioIOError.invalidParameter(name: "compression", value: "1.5", reason: "must be 0-1")) {
            try LossyCodec.vorbis.roundTrip([0.1, 0.2], sampleRate: 8_000, compression: 1.5)
        }
        #expect(throws: AudioIOError.self) { try LossyCodec.mp3.roundTrip([Float](repeating: 0.1, count: 4_000), sampleRate: 4_000, compression: 0.5) }
        #expect((try? LossyCodec.mp3.roundTrip([], sampleRate: 8_000, compression: 0.5)) == [])
    }
}
