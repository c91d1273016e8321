/// The spectral front end's settings. The defaults are SepKWS's (and the CLI's): 16 kHz, `nFFT` 512, Hann window of
/// 480 samples, hop 160, centered with zero padding, 40 Slaney-normalized Slaney-scale mels from 0 to 8 kHz,
/// power 2, `log(mel + 1e-6)`, 40 MFCCs.
public struct FeatureConfiguration: Sendable, Codable, Equatable {
    /// Expected input rate (Hz).
    public var sampleRate: Int
    /// Framing.
    public var stft: STFTConfiguration
    /// Mel bands.
    public var melCount: Int
    /// MFCCs kept (at most `melCount`).
    public var mfccCount: Int
    /// Lowest mel edge (Hz).
    public var fMin: Double
    /// Highest mel edge (Hz); `nil` = Nyquist.
    public var fMax: Double?
    /// Mel formula.
    public var melScale: MelScale
    /// Triangle scaling.
    public var melNormalization: MelNormalization
    /// Exponent of the magnitude fed to the mel filters (2 = power).
    public var power: Float
    /// Added before the log.
    public var logOffset: Float

    public init(
        sampleRate: Int = 16_000, stft: STFTConfiguration = STFTConfiguration(), melCount: Int = 40, mfccCount: Int = 40,
        fMin: Double = 0, fMax: Double? = nil, melScale: MelScale = .slaney, melNormalization: MelNormalization = .slaney,
        power: Float = 2, logOffset: Float = 1e-6
    ) {
        self.sampleRate = sampleRate
        self.stft = stft
        self.melCount = melCount
        self.mfccCount = mfccCount
        self.fMin = fMin
        self.fMax = fMax
        self.melScale = melScale
        self.melNormalization = melNormalization
        self.power = power
        self.logOffset = logOffset
    }

    /// Throws if a setting is impossible.
    /// - Throws: ``DSPError/invalidParameter(name:value:reason:)``.
    public func validate() throws(DSPError) {
        try stft.validate()
        guard (1...1024).contains(melCount) else {
            throw .invalidParameter(name: "n_mels", value: "\(melCount)", reason: "must be between 1 and 1024")
        }
        guard (1...melCount).contains(mfccCount) else {
            throw .invalidParameter(name: "n_mfcc", value: "\(mfccCount)", reason: "must be between 1 and n_mels (\(melCount))")
        }
        guard power > 0, power.isFinite else {
            throw .invalidParameter(name: "power", value: "\(power)", reason: "must be positive")
        }
        guard logOffset > 0, logOffset.isFinite else {
            throw .invalidParameter(name: "log offset", value: "\(logOffset)", reason: "must be positive")
        }
        _ = try MelFilterbank(
            sampleRate: sampleRate, nFFT: stft.nFFT, melCount: melCount, fMin: fMin, fMax: fMax, scale: melScale,
            normalization: melNormalization)
    }
}
