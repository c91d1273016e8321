import Foundation

/// Second-order sections applied one after the other: an equalizer of several bells and a shelf, or a steep
/// Butterworth low-pass.
///
/// ```swift
/// let telephone = FilterCascade.butterworthLowPass(cutoff: 3_400, order: 12, sampleRate: 16_000)
/// telephone.apply(to: &signal)                                         // [n] in place
/// ```
public struct FilterCascade: Sendable, Equatable {
    /// The sections, in the order they run.
    public var sections: [Biquad]

    public init(_ sections: [Biquad]) { self.sections = sections }

    /// An even-order Butterworth low-pass (maximally flat; `order * 6` dB per octave beyond `cutoff`, where it is
    /// -3 dB) as `order / 2` second-order sections. Order 12 gives about -0.02 dB at 0.8 x cutoff and -72 dB at
    /// 2 x cutoff, more where the bilinear transform warps the stopband towards Nyquist.
    /// - Precondition: `order` even and positive, `0 < cutoff < sampleRate / 2`.
    public static func butterworthLowPass(cutoff: Double, order: Int, sampleRate: Int) -> FilterCascade {
        precondition(order > 0 && order % 2 == 0, "order \(order) must be even")
        // The analog poles sit at angles (2k + 1) pi / (2 order) from the negative real axis; pair k has
        // Q = 1 / (2 cos(angle)).
        return FilterCascade((0..<(order / 2)).map { k in
            let angle = Double.pi * Double(2 * k + 1) / Double(2 * order)
            return Biquad.lowPass(frequency: cutoff, q: 1 / (2 * cos(angle)), sampleRate: sampleRate)
        })
    }

    /// The gain at `frequency` (linear): the product of the sections'.
    public func magnitude(at frequency: Double, sampleRate: Int) -> Double {
        sections.reduce(1) { $0 * $1.magnitude(at: frequency, sampleRate: sampleRate) }
    }

    /// Filters `signal [n]` in place, each section from a zero state.
    public func apply(to signal: inout [Float]) {
        for section in sections { section.apply(to: &signal) }
    }
}
