/// Whole-signal STFT and inverse STFT (librosa `stft` / `istft` semantics).
public struct STFT: Sendable {
    /// The framing.
    public let configuration: STFTConfiguration

    /// - Throws: ``DSPError`` if the configuration is impossible.
    public init(_ configuration: STFTConfiguration = STFTConfiguration()) throws(DSPError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// The complex spectrogram of `signal [n]`.
    /// - Returns: `[frames * binCount * 2]`, row-major frames of interleaved (re, im), and `frames`.
    /// - Throws: ``DSPError/signalTooShort(samples:needed:)`` if not centered and `n < nFFT`.
    public func forward(_ signal: [Float]) throws(DSPError) -> (values: [Float], frames: Int) {
        let frames = configuration.frameCount(samples: signal.count)
        guard frames > 0 else { throw .signalTooShort(samples: signal.count, needed: configuration.nFFT) }
        let analyzer = try STFTAnalyzer(configuration)
        var values = [Float]()
        values.reserveCapacity(frames * configuration.binCount * 2)
        analyzer.push(signal) { spectra, _ in values.append(contentsOf: spectra) }
        analyzer.finish { spectra, _ in values.append(contentsOf: spectra) }
        return (values, frames)
    }

    /// The signal whose STFT is `spectrum`, by weighted overlap-add normalized by the summed squared window
    /// (perfect reconstruction wherever the window sum is nonzero).
    /// - Parameters:
    ///   - spectrum: `[frames * binCount * 2]` as returned by ``forward(_:)``.
    ///   - length: output length; `nil` gives `hop * (frames - 1)` when centered (librosa's default), else the
    ///     full overlap-add length. Shorter outputs are cut, longer ones zero-padded.
    /// - Returns: `[length]`.
    public func inverse(_ spectrum: [Float], frames: Int, length: Int? = nil) -> [Float] {
        let n = configuration.nFFT, hop = configuration.hopLength, bins = configuration.binCount
        precondition(spectrum.count == frames * bins * 2, "spectrum has \(spectrum.count) values, expected \(frames * bins * 2)")
        let fft = RealFFT.shared(size: n)
        let buffers = RealFFTBuffers(size: n)
        let window = configuration.window.centered(length: configuration.windowLength, in: n)
        let total = n + hop * max(frames - 1, 0)
        var signal = [Float](repeating: 0, count: total)
        var windowSum = [Float](repeating: 0, count: total)
        let complex = buffers.complexBuffer, real = buffers.realBuffer
        let scale = 1 / Float(n)
        for t in 0..<frames {
            for i in 0..<2 * bins { complex[i] = spectrum[t * bins * 2 + i] }
            fft.inverse(buffers)
            for i in 0..<n {
                signal[t * hop + i] += real[i] * scale * window[i]
                windowSum[t * hop + i] += window[i] * window[i]
            }
        }
        for i in 0..<total where windowSum[i] > Float.leastNormalMagnitude { signal[i] /= windowSum[i] }
        let offset = configuration.center ? n / 2 : 0
        let natural = configuration.center ? max(total - 2 * (n / 2), 0) : total
        let outputLength = length ?? natural
        var output = [Float](repeating: 0, count: outputLength)
        let available = min(outputLength, total - offset)
        if available > 0 { output.replaceSubrange(0..<available, with: signal[offset..<offset + available]) }
        return output
    }
}
