import CKernels
import RealModule

// Position encodings: sinusoidal tables and rotary embeddings.

extension Tensor {
    /// Inverse frequencies `base^(−2j/dims)` for `j = 0 ..< dims/2`, computed in `Float` as PyTorch does
    /// (`1 / base ** (arange(0, dims, 2).float() / dims)`). Shape `[dims/2]`.
    /// - Parameters:
    ///   - dims: an even number of features.
    ///   - base: the wavelength base (10000).
    public static func inverseFrequencies(dims: Int, base: Float = 10_000) -> [Float] {
        precondition(dims > 0 && dims % 2 == 0, "inverseFrequencies: dims \(dims) must be even and positive")
        return (0..<(dims / 2)).map { j in 1 / Float.pow(base, Float(2 * j) / Float(dims)) }
    }

    /// The sinusoidal position table `[length, dims]`: row `t` is
    /// `[sin(t·ω_0) … sin(t·ω_{dims/2−1}), cos(t·ω_0) … cos(t·ω_{dims/2−1})]` (sines first, not interleaved,
    /// as MossFormer2's `ScaledSinuEmbedding`), `ω_j = base^(−2j/dims)`; angles are formed in `Float`.
    /// - Parameters:
    ///   - length: number of positions `T`.
    ///   - dims: features `D` (even).
    ///   - base: the wavelength base.
    ///   - offset: the first position.
    /// - Returns: `[T, D]`, no gradient.
    public static func sinusoidalPositions(length: Int, dims: Int, base: Float = 10_000, offset: Int = 0) -> Tensor {
        let inv = inverseFrequencies(dims: dims, base: base)
        let half = dims / 2
        var values = [Float](repeating: 0, count: length * dims)
        for t in 0..<length {
            for j in 0..<half {
                let angle = Double(Float(t + offset) * inv[j])
                values[t * dims + j] = Float(Double.sin(angle))
                values[t * dims + half + j] = Float(Double.cos(angle))
            }
        }
        return Tensor(values, shape: [length, dims])
    }

    /// Rotary position embedding (RoFormer; `rotary-embedding-torch` 0.8.3 interleaved convention) on the
    /// first `rotaryDims` features: pair `(2j, 2j+1)` at position `t` is rotated by `t·θ_j`,
    /// `θ_j = base^(−2j/rotaryDims)`: `a' = a·cos − b·sin`, `b' = b·cos + a·sin`. Other features pass through.
    ///
    /// Shapes: `x [..., T, D]` -> `[..., T, D]`, positions `offset ..< offset + T` along axis −2.
    /// - Parameters:
    ///   - rotaryDims: even, `<= D`.
    ///   - base: the frequency base.
    ///   - offset: the position of the first frame.
    public func rotaryEmbedding(rotaryDims: Int, base: Float = 10_000, offset: Int = 0) -> Tensor {
        precondition(rank >= 2, "rotaryEmbedding: input must be [..., T, D], got \(shape)")
        let tables = Tensor.rotaryTables(frames: shape[-2], rotaryDims: rotaryDims, base: base, offset: offset)
        return rotaryEmbedding(tables)
    }

    /// The angle tables of ``rotaryEmbedding(rotaryDims:base:offset:)``: `cos(t·θ_j)`, `sin(t·θ_j)` for
    /// positions `offset ..< offset + frames`, each `[frames, rotaryDims/2]` (compute once, reuse per call).
    public static func rotaryTables(frames: Int, rotaryDims: Int, base: Float = 10_000, offset: Int = 0) -> RotaryTables {
        precondition(rotaryDims % 2 == 0 && rotaryDims > 0, "rotaryTables: rotaryDims \(rotaryDims) must be even and positive")
        let inv = Tensor.inverseFrequencies(dims: rotaryDims, base: base)
        let half = rotaryDims / 2
        var cosTable = [Float](repeating: 0, count: frames * half), sinTable = cosTable
        for p in 0..<frames {
            for j in 0..<half {
                let angle = Double(Float(p + offset) * inv[j])
                cosTable[p * half + j] = Float(Double.cos(angle))
                sinTable[p * half + j] = Float(Double.sin(angle))
            }
        }
        return RotaryTables(frames: frames, rotaryDims: rotaryDims, cos: cosTable, sin: sinTable)
    }

    /// ``rotaryEmbedding(rotaryDims:base:offset:)`` with precomputed tables (`tables.frames == T`).
    public func rotaryEmbedding(_ tables: RotaryTables) -> Tensor {
        precondition(rank >= 2, "rotaryEmbedding: input must be [..., T, D], got \(shape)")
        let (t, d) = (shape[-2], shape[-1])
        let rotaryDims = tables.rotaryDims
        precondition(tables.frames == t, "rotaryEmbedding: tables for \(tables.frames) frames, input \(shape)")
        precondition(rotaryDims % 2 == 0 && rotaryDims <= d, "rotaryEmbedding: rotaryDims \(rotaryDims) must be even and <= \(d)")
        let cosTable = tables.cos, sinTable = tables.sin
        let rows = count / Swift.max(d, 1)   // frames of all leading items; row r is position r % t
        // The inference paths' row kernel; sign -1 rotates back (the backward pass).
        func rotate(_ src: Tensor, sign: Float) -> [Float] {
            [Float](unsafeUninitializedCapacity: src.count) { out, filled in
                src.withUnsafeBufferPointer { s in
                    cosTable.withUnsafeBufferPointer { pc in
                        sinTable.withUnsafeBufferPointer { ps in
                            Threading.parallelFor(rows, grain: Swift.max(1, Threading.parallelGrain / Swift.max(d, 1))) { range in
                                sk_rotary_rows(s.baseAddress!, out.baseAddress!, range.lowerBound, range.upperBound, t, d, rotaryDims,
                                               pc.baseAddress!, ps.baseAddress!, sign)
                            }
                        }
                    }
                }
                filled = src.count
            }
        }
        let out = Tensor(rotate(self, sign: 1), shape: shape)
        if Autograd.shouldRecord(self) {
            let s = shape
            out.record([self]) { g in [Tensor(rotate(g, sign: -1), shape: s)] }
        }
        return out
    }
}

/// Precomputed cos/sin tables of a rotary position embedding (``Tensor/rotaryTables(frames:rotaryDims:base:offset:)``).
public struct RotaryTables: Sendable {
    /// Positions covered.
    public let frames: Int
    /// Rotated features (even).
    public let rotaryDims: Int
    /// `cos(t·θ_j)`, `[frames, rotaryDims/2]`.
    public let cos: [Float]
    /// `sin(t·θ_j)`, `[frames, rotaryDims/2]`.
    public let sin: [Float]
}
