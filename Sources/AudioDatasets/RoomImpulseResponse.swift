import Foundation

/// The impulse response from a source to a microphone in a room (made by
/// ``ShoeboxRoom/impulseResponse(source:microphone:sampleRate:imageSeconds:using:)``), and the measurements that
/// check it: the direct sound's delay and the reverberation time by Schroeder's backward integration.
public struct RoomImpulseResponse: Sendable, Equatable {
    /// The response, `[m]`, tap 0 at the moment of emission (so the direct sound comes after its travel time).
    public let taps: [Float]
    /// Taps per second.
    public let sampleRate: Int
    /// When the direct sound arrives (samples, fractional): distance / speed of sound x sample rate.
    public let directDelay: Double
    /// Source-to-microphone distance (m).
    public let directDistance: Double

    public init(taps: [Float], sampleRate: Int, directDelay: Double, directDistance: Double) {
        self.taps = taps
        self.sampleRate = sampleRate
        self.directDelay = directDelay
        self.directDistance = directDistance
    }

    /// The direct sound and the early reflections: the taps up to `seconds` after the direct sound, `[m']` (the
    /// usual "early" split is 50 ms; clarity C50 is the energy ratio of this part to the rest).
    public func early(seconds: Double) -> [Float] {
        let end = Int((directDelay + seconds * Double(sampleRate)).rounded())
        return Array(taps.prefix(max(end, 1)))
    }

    /// The reverberation time RT60 (s) of `taps [m]` measured by Schroeder's method: the energy decay curve (the
    /// backward-integrated squared response, in dB) fitted by least squares between -5 and -25 dB and extrapolated
    /// to -60 dB (T20); nil when the curve never falls 25 dB.
    public static func measuredReverberationTime(_ taps: [Float], sampleRate: Int) -> Double? {
        var decay = [Double](repeating: 0, count: taps.count)
        var sum = 0.0
        for n in stride(from: taps.count - 1, through: 0, by: -1) {
            sum += Double(taps[n]) * Double(taps[n])
            decay[n] = sum
        }
        guard sum > 0 else { return nil }
        let total = sum
        guard let first = decay.firstIndex(where: { 10 * log10($0 / total) <= -5 }),
              let last = decay.firstIndex(where: { 10 * log10($0 / total) <= -25 }), last > first + 1
        else { return nil }
        // Least-squares line through (n, dB) over [first, last].
        var (sx, sy, sxx, sxy) = (0.0, 0.0, 0.0, 0.0)
        for n in first...last {
            let x = Double(n), y = 10 * log10(decay[n] / total)
            sx += x; sy += y; sxx += x * x; sxy += x * y
        }
        let count = Double(last - first + 1)
        let slope = (count * sxy - sx * sy) / (count * sxx - sx * sx)           // dB per sample
        guard slope < 0 else { return nil }
        return -60 / slope / Double(sampleRate)
    }

    /// Half the length of the fractional-delay interpolator (taps either side of the delay).
    static let halfWidth = 8
    /// Fractional delays are rounded to 1 / `phases` of a sample.
    static let phases = 64

    /// Hann-windowed sinc interpolators, `[(phases + 1) x 2 halfWidth]`: row `p` holds the taps
    /// `floor(d) - halfWidth + 1 ... floor(d) + halfWidth` for a delay `d` whose fraction is `p / phases`.
    static let fractionalDelayTable: [Float] = {
        var table: [Float] = []
        for p in 0...phases {
            let fraction = Double(p) / Double(phases)
            for j in 0..<(2 * halfWidth) {
                let x = Double(j - halfWidth + 1) - fraction                        // tap minus delay (samples)
                let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
                let window = abs(x) >= Double(halfWidth) ? 0 : 0.5 * (1 + cos(Double.pi * x / Double(halfWidth)))
                table.append(Float(sinc * window))
            }
        }
        return table
    }()
}
