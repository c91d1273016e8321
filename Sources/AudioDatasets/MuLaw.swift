import Foundation

/// 8-bit mu-law companding (mu = 255, as G.711 in North America and Japan), in its continuous form: a sign bit and
/// 7 bits of `ln(1 + mu |x|) / ln(1 + mu)`, so small samples keep fine steps and loud ones coarse steps, about 38
/// dB of signal-to-quantization ratio at any level. Full scale is 1; louder samples clip.
public enum MuLaw {
    /// The compression constant.
    public static let mu: Float = 255

    /// The 8-bit code of a sample: bit 7 the sign, bits 0-6 the companded magnitude (0-127); NaN gives 0.
    public static func encode(_ x: Float) -> UInt8 {
        let magnitude = x.isNaN ? 0 : min(abs(x), 1)
        let companded = log1p(mu * magnitude) / log1p(mu)
        let level = UInt8((companded * 127).rounded())
        return x < 0 ? level | 0x80 : level
    }

    /// The sample a code stands for, in [-1, 1].
    public static func decode(_ code: UInt8) -> Float {
        let companded = Float(code & 0x7F) / 127
        let magnitude = (pow(1 + mu, companded) - 1) / mu
        return code & 0x80 != 0 ? -magnitude : magnitude
    }

    /// `signal [n]` encoded and decoded in place: what a mu-law channel delivers. The error of a sample `x` is
    /// at most about `8.8e-5 * (1 + 255 |x|)` (half a 7-bit step, expanded), plus the clipping beyond 1.
    public static func roundTrip(_ signal: inout [Float]) {
        // 256 codes: decode once into a table.
        let table = (0...255).map { decode(UInt8($0)) }
        for i in signal.indices { signal[i] = table[Int(encode(signal[i]))] }
    }
}
