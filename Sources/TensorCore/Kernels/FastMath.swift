/// Branch-free `Float` approximations that LLVM can vectorize (used by the hot activation kernels).
package enum FastMath {
    /// `e^x` with about 1 ulp error over the normal range (Cephes `expf` polynomial, Cody–Waite reduction).
    /// Inputs are clamped to `[-87.3, 88.3]`, so very negative inputs give ~1e-38 instead of 0.
    @inline(__always)
    package static func exp(_ x: Float) -> Float {
        let xc = Swift.min(Swift.max(x, -87.3), 88.3)
        // Round x·log2(e) to nearest with the 1.5·2^23 trick (no libcall, vectorizes on SSE2); the low
        // mantissa bits of `shifted` then hold n itself, so 2^n needs no (trapping) Float -> Int conversion.
        let magic: Float = 12_582_912
        let shifted = xc * 1.442_695_04 + magic
        let n = shifted - magic
        let r = (xc - n * 0.693_359_375) + n * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * (r * r) + r + 1
        let bits = (shifted.bitPattern &- magic.bitPattern &+ 127) << 23
        return y * Float(bitPattern: bits)
    }

    /// `1 / (1 + e^-x)`.
    @inline(__always)
    package static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// `x / (1 + e^-x)` (SiLU, a.k.a. swish).
    @inline(__always)
    package static func silu(_ x: Float) -> Float { x / (1 + exp(-x)) }
}
