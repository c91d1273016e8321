import Foundation

/// Levels and mixing of mono signals, in `Double` where precision matters.
public enum SignalLevel {
    /// Root mean square of `x [n]` (0 for an empty signal).
    public static func rms(_ x: [Float]) -> Double {
        guard !x.isEmpty else { return 0 }
        var sum = 0.0
        for v in x { sum += Double(v) * Double(v) }
        return (sum / Double(x.count)).squareRoot()
    }

    /// Largest absolute sample of `x [n]`.
    public static func peak(_ x: [Float]) -> Float { x.reduce(0) { max($0, abs($1)) } }

    /// `x` scaled so that its RMS is `decibels` dBFS; silence stays silence.
    public static func scaled(_ x: [Float], toRMS decibels: Double) -> [Float] {
        let level = rms(x)
        guard level > 0 else { return x }
        let gain = Float(pow(10, decibels / 20) / level)
        return x.map { $0 * gain }
    }

    /// `noise` scaled so that `signal` is `snr` dB above it (by RMS), `[n]`.
    public static func noise(_ noise: [Float], forSNR snr: Double, against signal: [Float]) -> [Float] {
        let noiseLevel = rms(noise)
        guard noiseLevel > 0 else { return noise }
        let gain = Float(rms(signal) / noiseLevel / pow(10, snr / 20))
        return noise.map { $0 * gain }
    }

    /// Element-wise sum of equal-length signals.
    public static func sum(_ signals: [[Float]]) -> [Float] {
        precondition(!signals.isEmpty && signals.allSatisfy { $0.count == signals[0].count })
        var out = signals[0]
        for s in signals.dropFirst() { for i in out.indices { out[i] += s[i] } }
        return out
    }

    /// The signal with leading and trailing stretches below `threshold` dB relative to its peak removed.
    public static func trimmed(_ x: [Float], threshold: Double = -45) -> [Float] {
        let limit = peak(x) * Float(pow(10, threshold / 20))
        guard let first = x.firstIndex(where: { abs($0) > limit }), let last = x.lastIndex(where: { abs($0) > limit }) else {
            return []
        }
        return Array(x[first...last])
    }
}
