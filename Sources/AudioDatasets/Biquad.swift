import Foundation

/// One second-order IIR section, `y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]`, with the
/// coefficients normalized so that `a0 = 1` (a first-order section has `b2 = a2 = 0`).
///
/// The designs map analog prototypes through the bilinear transform with the frequency prewarped (the second-order
/// ones are the standard audio-EQ forms), so each has its nominal response exactly at its design frequency.
///
/// ```swift
/// var x: [Float] = speech                                              // [n]
/// Biquad.peaking(frequency: 1_000, gainDB: 4, q: 1, sampleRate: 8_000).apply(to: &x)   // [n], +4 dB at 1 kHz
/// ```
public struct Biquad: Sendable, Equatable {
    public var b0: Double, b1: Double, b2: Double, a1: Double, a2: Double

    /// A section from its normalized coefficients.
    public init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
        (self.b0, self.b1, self.b2, self.a1, self.a2) = (b0, b1, b2, a1, a2)
    }

    /// The section that passes its input unchanged.
    public static let identity = Biquad(b0: 1, b1: 0, b2: 0, a1: 0, a2: 0)

    /// A peaking (bell) equalizer: `gainDB` at `frequency`, 0 dB far from it; `q` sets the bandwidth (about
    /// `frequency / q` Hz between the half-gain points). A gain of 0 gives equal numerator and denominator.
    /// - Precondition: `0 < frequency < sampleRate / 2`, `q > 0`.
    public static func peaking(frequency: Double, gainDB: Double, q: Double, sampleRate: Int) -> Biquad {
        let (cosine, alpha) = angle(frequency, q, sampleRate)
        let a = pow(10, gainDB / 40)
        let a0 = 1 + alpha / a
        return Biquad(b0: (1 + alpha * a) / a0, b1: -2 * cosine / a0, b2: (1 - alpha * a) / a0,
                      a1: -2 * cosine / a0, a2: (1 - alpha / a) / a0)
    }

    /// A second-order low-pass: unit gain at DC, `-3 dB` at `frequency` for `q = 1/sqrt(2)` (one Butterworth
    /// section; ``FilterCascade/butterworthLowPass(cutoff:order:sampleRate:)`` chains them), a zero at Nyquist.
    /// - Precondition: `0 < frequency < sampleRate / 2`, `q > 0`.
    public static func lowPass(frequency: Double, q: Double, sampleRate: Int) -> Biquad {
        let (cosine, alpha) = angle(frequency, q, sampleRate)
        let a0 = 1 + alpha
        return Biquad(b0: (1 - cosine) / 2 / a0, b1: (1 - cosine) / a0, b2: (1 - cosine) / 2 / a0,
                      a1: -2 * cosine / a0, a2: (1 - alpha) / a0)
    }

    /// A second-order high-pass: unit gain at Nyquist, a double zero at DC (removes any offset).
    /// - Precondition: `0 < frequency < sampleRate / 2`, `q > 0`.
    public static func highPass(frequency: Double, q: Double, sampleRate: Int) -> Biquad {
        let (cosine, alpha) = angle(frequency, q, sampleRate)
        let a0 = 1 + alpha
        return Biquad(b0: (1 + cosine) / 2 / a0, b1: -(1 + cosine) / a0, b2: (1 + cosine) / 2 / a0,
                      a1: -2 * cosine / a0, a2: (1 - alpha) / a0)
    }

    /// A first-order high shelf, the spectral tilt: 0 dB at DC, `gainDB` at Nyquist, the change centred (on a log
    /// scale) at `frequency`, at most 6 dB per octave in between. Negative gains darken, positive ones brighten.
    /// - Precondition: `0 < frequency < sampleRate / 2`.
    public static func shelf(gainDB: Double, frequency: Double, sampleRate: Int) -> Biquad {
        precondition(frequency > 0 && frequency < Double(sampleRate) / 2)
        // Analog prototype G (s + wz) / (s + wp) with wz = wc / sqrt(G), wp = wc * sqrt(G): 1 at DC, G at infinity.
        let g = pow(10, gainDB / 20)
        let center = tan(Double.pi * frequency / Double(sampleRate))
        let zero = center / g.squareRoot(), pole = center * g.squareRoot()
        return Biquad(b0: g * (1 + zero) / (1 + pole), b1: g * (zero - 1) / (1 + pole), b2: 0,
                      a1: (pole - 1) / (1 + pole), a2: 0)
    }

    /// `cos(w0)` and `sin(w0) / (2 q)` of the second-order designs.
    private static func angle(_ frequency: Double, _ q: Double, _ sampleRate: Int) -> (cosine: Double, alpha: Double) {
        precondition(frequency > 0 && frequency < Double(sampleRate) / 2 && q > 0, "frequency \(frequency) Hz, q \(q)")
        let w0 = 2 * Double.pi * frequency / Double(sampleRate)
        return (cos(w0), sin(w0) / (2 * q))
    }

    /// The gain `|H(e^{jw})|` at `frequency` (linear).
    public func magnitude(at frequency: Double, sampleRate: Int) -> Double {
        let w = 2 * Double.pi * frequency / Double(sampleRate)
        // H = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2) at z = e^{jw}.
        let (c1, s1, c2, s2) = (cos(w), sin(w), cos(2 * w), sin(2 * w))
        let nr = b0 + b1 * c1 + b2 * c2, ni = -(b1 * s1 + b2 * s2)
        let dr = 1 + a1 * c1 + a2 * c2, di = -(a1 * s1 + a2 * s2)
        return ((nr * nr + ni * ni) / (dr * dr + di * di)).squareRoot()
    }

    /// Filters `signal [n]` in place from a zero state (transposed direct form II, in `Double`).
    public func apply(to signal: inout [Float]) {
        let (b0, b1, b2, a1, a2) = (self.b0, self.b1, self.b2, self.a1, self.a2)
        signal.withUnsafeMutableBufferPointer { x in
            var s1 = 0.0, s2 = 0.0
            for i in 0..<x.count {
                let input = Double(x[i])
                let y = b0 * input + s1
                s1 = b1 * input - a1 * y + s2
                s2 = b2 * input - a2 * y
                // A state decaying in silence would turn subnormal and slow the loop a hundredfold; below
                // 1e-30 it no longer reaches a Float sample of speech, so it is dropped.
                if abs(s1) < 1e-30 && abs(s2) < 1e-30 { s1 = 0; s2 = 0 }
                x[i] = Float(y)
            }
        }
    }
}
