import DSP

/// Linear convolution by FFT (FFTW's real transforms), for kernels of thousands of taps such as room impulse
/// responses: one transform of the signal, then a multiply and an inverse transform per kernel.
///
/// Plans are made with FFTW's estimate (``DSP/RealFFT/shared(size:reproducible:)``), so results are the same in
/// every process on a machine: a resumed training run redraws its batches bit for bit.
///
/// ```swift
/// let wet = FFTConvolution.convolve(dry, with: [rir.taps], length: dry.count)[0]   // [n]
/// ```
public enum FFTConvolution {
    /// The first `length` samples of the convolution of `signal` with each kernel (causal: output `t` depends on
    /// `signal[0...t]` only, so the signal's samples from `length` on are ignored; zeros past the full result).
    /// - Parameters:
    ///   - signal: `[n]`.
    ///   - kernels: `[k][m_k]` impulse responses, tap 0 first.
    ///   - length: output samples per kernel.
    /// - Returns: `[k][length]`.
    public static func convolve(_ signal: [Float], with kernels: [[Float]], length: Int) -> [[Float]] {
        let used = min(signal.count, length)
        let longest = kernels.map(\.count).max() ?? 0
        guard used > 0, longest > 0 else { return kernels.map { _ in [Float](repeating: 0, count: length) } }
        // No circular wrap-around anywhere in the full linear result.
        let size = transformSize(atLeast: used + longest - 1)
        let fft = RealFFT.shared(size: size, reproducible: true)
        let buffers = RealFFTBuffers(size: size)
        let real = buffers.realBuffer, bins = buffers.complexBuffer
        for i in 0..<size { real[i] = i < used ? signal[i] : 0 }
        fft.forward(buffers)
        let spectrum = Array(bins)
        let scale = 1 / Float(size)
        return kernels.map { kernel in
            kernel.withUnsafeBufferPointer { taps in
                for i in 0..<size { real[i] = i < taps.count ? taps[i] : 0 }
            }
            fft.forward(buffers)
            spectrum.withUnsafeBufferPointer { s in
                for k in 0..<(bins.count / 2) {
                    let (ar, ai, br, bi) = (s[2 * k], s[2 * k + 1], bins[2 * k], bins[2 * k + 1])
                    bins[2 * k] = (ar * br - ai * bi) * scale
                    bins[2 * k + 1] = (ar * bi + ai * br) * scale
                }
            }
            fft.inverse(buffers)
            let kept = min(length, size)
            var out = Array(real[0..<kept])
            if kept < length { out += [Float](repeating: 0, count: length - kept) }
            return out
        }
    }

    /// The smallest `2^a` or `3 * 2^a` at least `count` (sizes FFTW transforms fastest).
    static func transformSize(atLeast count: Int) -> Int {
        var power = 1
        while power < count { power *= 2 }
        let threeTimes = power / 4 * 3
        return threeTimes >= count ? threeTimes : power
    }
}
