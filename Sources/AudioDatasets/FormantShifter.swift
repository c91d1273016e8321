import DSP
import Foundation

/// Moves a voice's formants (its spectral envelope) up or down by a factor while its pitch and timing stay: a
/// vocal-tract length perturbation on the waveform, independent of the speed change that moves pitch and formants
/// together.
///
/// Each frame (Hann window, 75% overlap) is split into envelope and fine structure by linear prediction: the
/// all-pole envelope `E(f)` of order `rate / 1000 + 4` (12 at 8 kHz, 20 at 16 kHz: two poles per formant per kHz
/// plus four for the glottis and radiation) models the vocal tract. The frame's spectrum is then multiplied by `exp(E(f / factor) - E(f))`, which moves the envelope's
/// peaks by `factor` and leaves the harmonics (the pitch) and the phases where they were. The correction is kept
/// within ±24 dB so that a spectral valley is not lifted into noise. Frames are joined by weighted overlap-add.
///
/// FFTW plans by estimate (``DSP/RealFFT/shared(size:reproducible:)``): the same input gives the same output in
/// every process, so a resumed training run redraws its examples bit for bit.
///
/// ```swift
/// let shifter = FormantShifter(sampleRate: 16_000)
/// let longer = shifter.shift(voice, by: 0.9)   // [n]: formants 10% lower, as from a longer vocal tract
/// ```
public struct FormantShifter: Sendable {
    /// The rate of the signals (Hz).
    public let sampleRate: Int
    /// Frame length (samples, a power of two, about 32 ms).
    public let frameLength: Int
    /// Hop between frames (samples): a quarter frame.
    public var hopLength: Int { frameLength / 4 }
    /// Order of the linear predictor whose all-pole response is the envelope.
    public let predictorOrder: Int
    /// The periodic Hann window, `[frameLength]`.
    private let window: [Float]

    /// The largest change of any bin's level (dB).
    public static let maximumCorrectionDB: Float = 24

    /// A shifter for signals at `sampleRate` (Hz).
    public init(sampleRate: Int) {
        precondition(sampleRate > 0)
        self.sampleRate = sampleRate
        var length = 64
        while Double(length) < 0.032 * Double(sampleRate) { length *= 2 }
        frameLength = length
        predictorOrder = sampleRate / 1_000 + 4
        window = (0..<length).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(length))) }
    }

    /// `signal` with its formants moved by `factor` (above 1: higher, as from a shorter vocal tract).
    /// - Parameters:
    ///   - signal: `[n]`.
    ///   - factor: the frequency scale of the envelope, 0.5-2; 1 returns the signal as it is.
    /// - Returns: `[n]`.
    public func shift(_ signal: [Float], by factor: Double) -> [Float] {
        precondition((0.5...2).contains(factor), "formant factor \(factor) outside 0.5-2")
        guard factor != 1, !signal.isEmpty else { return signal }
        let size = frameLength, hop = hopLength, bins = size / 2 + 1
        let fft = RealFFT.shared(size: size, reproducible: true)
        let buffers = RealFFTBuffers(size: size)
        let real = buffers.realBuffer, complex = buffers.complexBuffer
        // Frames start `size - hop` before the signal so that every sample is covered by four frames.
        let first = -(size - hop)
        let frames = (signal.count - first + hop - 1) / hop
        var output = [Float](repeating: 0, count: signal.count)
        var weight = [Float](repeating: 0, count: signal.count)
        var spectrum = [Float](repeating: 0, count: 2 * bins)
        var power = [Float](repeating: 0, count: bins)
        var envelope = [Float](repeating: 0, count: bins)
        // Where each output bin reads the envelope: bin k / factor, linearly interpolated.
        let source = (0..<bins).map { k -> (Int, Float) in
            let position = min(Double(k) / factor, Double(bins - 1))
            let low = min(Int(position), bins - 2)
            return (low, Float(position - Double(low)))
        }
        let limit = Self.maximumCorrectionDB / 20 * Float(M_LN10)
        for f in 0..<frames {
            let start = first + f * hop
            for i in 0..<size {
                let t = start + i
                real[i] = t >= 0 && t < signal.count ? signal[t] * window[i] : 0
            }
            fft.forward(buffers)
            for j in 0..<(2 * bins) { spectrum[j] = complex[j] }
            var energy: Float = 0
            for k in 0..<bins {
                power[k] = spectrum[2 * k] * spectrum[2 * k] + spectrum[2 * k + 1] * spectrum[2 * k + 1]
                energy += power[k]
            }
            guard energy > 1e-10 else { continue }
            allPoleEnvelope(power, into: &envelope, fft: fft, buffers: buffers)
            for k in 0..<bins {
                let (low, fraction) = source[k]
                let moved = envelope[low] + fraction * (envelope[low + 1] - envelope[low])
                let gain = exp(min(max(moved - envelope[k], -limit), limit))
                complex[2 * k] = spectrum[2 * k] * gain
                complex[2 * k + 1] = k == 0 || k == bins - 1 ? 0 : spectrum[2 * k + 1] * gain
            }
            fft.inverse(buffers)
            let scale = 1 / Float(size)
            for i in 0..<size {
                let t = start + i
                guard t >= 0, t < signal.count else { continue }
                output[t] += real[i] * scale * window[i]
                weight[t] += window[i] * window[i]
            }
        }
        for t in output.indices where weight[t] > 1e-6 { output[t] /= weight[t] }
        return output
    }

    /// The all-pole (linear prediction) log envelope of a frame, `[bins]`, from its power spectrum `[bins]`:
    /// the autocorrelation is the inverse transform of the power, Levinson-Durbin gives the predictor of order
    /// ``predictorOrder``, and the envelope is `-log |A(f)|` (up to a constant, which the correction cancels).
    private func allPoleEnvelope(_ power: [Float], into envelope: inout [Float], fft: RealFFT, buffers: RealFFTBuffers) {
        let size = frameLength, bins = size / 2 + 1, order = predictorOrder
        let real = buffers.realBuffer, complex = buffers.complexBuffer
        for k in 0..<bins {
            complex[2 * k] = power[k]
            complex[2 * k + 1] = 0
        }
        fft.inverse(buffers)   // the circular autocorrelation, times `size`
        var r = (0...order).map { Double(real[$0]) }
        r[0] *= 1 + 1e-6   // a floor of white noise keeps the predictor stable
        var a = [Double](repeating: 0, count: order + 1)
        a[0] = 1
        var error = r[0]
        for i in 1...order where error > 0 {
            var acc = r[i]
            for j in 1..<i { acc += a[j] * r[i - j] }
            let k = -acc / error
            let previous = a
            for j in 1..<i { a[j] = previous[j] + k * previous[i - j] }
            a[i] = k
            error *= 1 - k * k
        }
        for n in 0..<size { real[n] = n <= order ? Float(a[n]) : 0 }
        fft.forward(buffers)
        for k in 0..<bins {
            let magnitude = complex[2 * k] * complex[2 * k] + complex[2 * k + 1] * complex[2 * k + 1]
            envelope[k] = -0.5 * log(magnitude + 1e-20)
        }
    }
}
