/// Framing of a short-time Fourier transform, in samples.
///
/// The defaults are SepKWS's front end: `nFFT` 512, Hann window of 480 samples, hop 160, centered with zero padding
/// (librosa `stft(..., n_fft=512, win_length=480, hop_length=160, center=True, pad_mode="constant")`).
public struct STFTConfiguration: Sendable, Codable, Equatable {
    /// FFT length; frames have `nFFT / 2 + 1` bins.
    public var nFFT: Int
    /// Window length, at most `nFFT`; the window is zero-padded to `nFFT` in the middle of the frame.
    public var windowLength: Int
    /// Samples between frame starts.
    public var hopLength: Int
    /// Window shape.
    public var window: WindowKind
    /// Whether frame `t` is centered on sample `t * hopLength` (the signal is zero-padded by `nFFT / 2` both sides).
    public var center: Bool

    public init(nFFT: Int = 512, windowLength: Int = 480, hopLength: Int = 160, window: WindowKind = .hann, center: Bool = true) {
        self.nFFT = nFFT
        self.windowLength = windowLength
        self.hopLength = hopLength
        self.window = window
        self.center = center
    }

    /// Number of bins per frame, `nFFT / 2 + 1`.
    public var binCount: Int { nFFT / 2 + 1 }

    /// Frames produced for a signal of `samples` samples (librosa's count).
    public func frameCount(samples: Int) -> Int {
        let padded = center ? samples + 2 * (nFFT / 2) : samples
        return padded < nFFT ? 0 : 1 + (padded - nFFT) / hopLength
    }

    /// Throws if a setting is impossible.
    /// - Throws: ``DSPError/invalidParameter(name:value:reason:)``.
    public func validate() throws(DSPError) {
        guard (2...65_536).contains(nFFT) else {
            throw .invalidParameter(name: "n_fft", value: "\(nFFT)", reason: "must be between 2 and 65536")
        }
        guard (1...nFFT).contains(windowLength) else {
            throw .invalidParameter(name: "window length", value: "\(windowLength)", reason: "must be between 1 and n_fft (\(nFFT))")
        }
        guard hopLength >= 1 else {
            throw .invalidParameter(name: "hop length", value: "\(hopLength)", reason: "must be at least 1 sample")
        }
    }
}
