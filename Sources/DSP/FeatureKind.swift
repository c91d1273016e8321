/// What a ``FeatureExtractor`` computes per frame.
public enum FeatureKind: String, Sendable, Codable, CaseIterable {
    /// STFT magnitude, `[binCount]` per frame.
    case stft
    /// `log(mel power + logOffset)`, `[melCount]` per frame.
    case logmel
    /// Orthonormal DCT-II of the log-mel, first `mfccCount` coefficients.
    case mfcc
}
