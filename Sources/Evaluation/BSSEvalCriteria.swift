/// The three BSS-Eval energy ratios of one estimate against one reference, in dB (`+infinity` when the
/// denominator's energy is exactly zero, as mir_eval's `_safe_db`).
public struct BSSEvalCriteria: Sendable, Equatable, Codable {
    /// Signal to distortion ratio: `‖P_j e‖² / ‖e − P_j e‖²` (dB).
    public var sdr: Double
    /// Source to interference ratio: `‖P_j e‖² / ‖P e − P_j e‖²` (dB).
    public var sir: Double
    /// Sources to artifacts ratio: `‖P e‖² / ‖e − P e‖²` (dB).
    public var sar: Double

    /// Criteria from the three ratios (dB).
    public init(sdr: Double, sir: Double, sar: Double) {
        self.sdr = sdr
        self.sir = sir
        self.sar = sar
    }
}
