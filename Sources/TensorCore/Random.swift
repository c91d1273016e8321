import RealModule

/// A small, fast, seedable generator (SplitMix64), so every random tensor and every dropout mask in
/// SepKWS is reproducible from a seed.
///
/// ```swift
/// var rng = SplitMix64(seed: 42)
/// let w = Tensor.randomNormal([64, 32], standardDeviation: 0.02, using: &rng)   // [out, in]
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator state.
    public private(set) var state: UInt64

    /// Creates a generator from a seed.
    /// - Parameter seed: any 64-bit value.
    public init(seed: UInt64) { self.state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform `Float` in `[0, 1)` with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal sample (Box–Muller in `Double`).
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2))
    }
}
