import Foundation

/// Analysis windows, periodic (as `scipy.signal.get_window(..., fftbins=True)` and librosa use them).
public enum WindowKind: String, Sendable, Codable, CaseIterable {
    case hann, hamming, blackman, rectangular

    /// The window's samples, `[length]`, computed in `Double` and rounded once.
    public func samples(length: Int) -> [Float] {
        precondition(length > 0)
        let n = Double(length)
        return (0..<length).map { i in
            let x = 2 * Double.pi * Double(i) / n
            let value: Double =
                switch self {
                case .hann: 0.5 - 0.5 * cos(x)
                case .hamming: 0.54 - 0.46 * cos(x)
                case .blackman: 0.42 - 0.5 * cos(x) + 0.08 * cos(2 * x)
                case .rectangular: 1
                }
            return Float(value)
        }
    }

    /// The window of `length` zero-padded on both sides to `size` (librosa `pad_center`), `[size]`.
    public func centered(length: Int, in size: Int) -> [Float] {
        precondition(length <= size)
        let left = (size - length) / 2
        var padded = [Float](repeating: 0, count: size)
        padded.replaceSubrange(left..<left + length, with: samples(length: length))
        return padded
    }
}
