/// BSS-Eval criteria of a set of estimates, as `mir_eval.separation.bss_eval_sources` returns them.
///
/// Shapes: every array is `[nsrc]`, indexed by reference: `sdr[j]` is the SDR of estimate `permutation[j]`
/// against reference `j`.
public struct BSSEvalResult: Sendable, Equatable, Codable {
    /// Signal to distortion ratio per reference (dB).
    public var sdr: [Double]
    /// Source to interference ratio per reference (dB).
    public var sir: [Double]
    /// Sources to artifacts ratio per reference (dB).
    public var sar: [Double]
    /// `permutation[j]` is the estimate matched to reference `j` (the one maximising mean SIR, as mir_eval).
    public var permutation: [Int]

    /// A result from per-reference arrays (`[nsrc]` each) and the matching.
    public init(sdr: [Double], sir: [Double], sar: [Double], permutation: [Int]) {
        self.sdr = sdr
        self.sir = sir
        self.sar = sar
        self.permutation = permutation
    }
}
