import Foundation
import RealModule

/// The mel scale's formula.
public enum MelScale: String, Sendable, Codable, CaseIterable {
    /// Slaney's Auditory Toolbox: linear below 1 kHz, logarithmic above (librosa's default).
    case slaney
    /// HTK: `2595 * log10(1 + f / 700)`.
    case htk

    /// Hz -> mel.
    public func mel(hertz: Double) -> Double {
        switch self {
        case .htk: return 2595 * log10(1 + hertz / 700)
        case .slaney:
            let step = 200.0 / 3, minLogHz = 1000.0, minLogMel = minLogHz / step, logStep = log(6.4) / 27
            return hertz >= minLogHz ? minLogMel + log(hertz / minLogHz) / logStep : hertz / step
        }
    }

    /// mel -> Hz.
    public func hertz(mel: Double) -> Double {
        switch self {
        case .htk: return 700 * (pow(10, mel / 2595) - 1)
        case .slaney:
            let step = 200.0 / 3, minLogHz = 1000.0, minLogMel = minLogHz / step, logStep = log(6.4) / 27
            return mel >= minLogMel ? minLogHz * exp(logStep * (mel - minLogMel)) : step * mel
        }
    }
}

/// How each triangle is scaled.
public enum MelNormalization: String, Sendable, Codable, CaseIterable {
    /// Each triangle divided by its width in Hz / 2 (constant energy per band; librosa `norm="slaney"`).
    case slaney
    /// Triangles peak at 1.
    case none
}

/// Triangular mel filters over the bins of an `nFFT`-point spectrum (librosa `filters.mel`), stored sparsely.
///
/// Applies `mel[m] = sum_k weights[m, k] * power[k]`, `[binCount] -> [melCount]`.
public struct MelFilterbank: Sendable, Equatable {
    /// Number of mel bands.
    public let melCount: Int
    /// Number of FFT bins, `nFFT / 2 + 1`.
    public let binCount: Int
    /// First nonzero bin of each band, `[melCount]`.
    private let firstBin: [Int]
    /// Nonzero weights of each band, concatenated; band `m` has `bandWeights[offsets[m]..<offsets[m+1]]`.
    private let bandWeights: [Float]
    private let offsets: [Int]

    /// - Parameters:
    ///   - sampleRate: Hz; `fMax` defaults to `sampleRate / 2`.
    ///   - nFFT: FFT length.
    ///   - melCount: bands.
    /// - Throws: ``DSPError/invalidParameter(name:value:reason:)`` for impossible frequencies or counts.
    public init(
        sampleRate: Int, nFFT: Int, melCount: Int, fMin: Double = 0, fMax: Double? = nil, scale: MelScale = .slaney,
        normalization: MelNormalization = .slaney
    ) throws(DSPError) {
        let nyquist = Double(sampleRate) / 2
        let fMax = fMax ?? nyquist
        guard sampleRate > 0 else { throw .invalidParameter(name: "sample rate", value: "\(sampleRate)", reason: "must be positive") }
        guard (1...1024).contains(melCount) else {
            throw .invalidParameter(name: "mel count", value: "\(melCount)", reason: "must be between 1 and 1024")
        }
        guard fMin >= 0, fMin < fMax, fMax <= nyquist else {
            throw .invalidParameter(
                name: "mel range", value: "\(fMin)-\(fMax) Hz", reason: "need 0 <= fmin < fmax <= \(nyquist) Hz (Nyquist)")
        }
        let bins = nFFT / 2 + 1
        let fftFrequencies = (0..<bins).map { Double($0) * nyquist / Double(bins - 1) }
        let melLow = scale.mel(hertz: fMin), melHigh = scale.mel(hertz: fMax)
        let edges = (0..<melCount + 2).map {
            scale.hertz(mel: melLow + (melHigh - melLow) * Double($0) / Double(melCount + 1))
        }
        var first = [Int](), weights = [Float](), offsets = [0]
        for m in 0..<melCount {
            let lowerWidth = edges[m + 1] - edges[m], upperWidth = edges[m + 2] - edges[m + 1]
            let norm = normalization == .slaney ? 2 / (edges[m + 2] - edges[m]) : 1
            var band = [Float](), bandStart = -1
            for k in 0..<bins {
                let lower = (fftFrequencies[k] - edges[m]) / lowerWidth
                let upper = (edges[m + 2] - fftFrequencies[k]) / upperWidth
                let w = max(0, min(lower, upper)) * norm
                if w > 0 {
                    if bandStart < 0 { bandStart = k }
                    band.append(contentsOf: repeatElement(0, count: k - bandStart - band.count))
                    band.append(Float(w))
                }
            }
            first.append(max(bandStart, 0))
            weights += band
            offsets.append(weights.count)
        }
        self.melCount = melCount
        self.binCount = bins
        self.firstBin = first
        self.bandWeights = weights
        self.offsets = offsets
    }

    /// The dense weight matrix, `[melCount][binCount]` (for inspection and tests).
    public var weights: [[Float]] {
        (0..<melCount).map { m in
            var row = [Float](repeating: 0, count: binCount)
            for (i, w) in bandWeights[offsets[m]..<offsets[m + 1]].enumerated() { row[firstBin[m] + i] = w }
            return row
        }
    }

    /// `mel [melCount] = weights · power [binCount]`.
    public func apply(_ power: UnsafeBufferPointer<Float>, into mel: UnsafeMutableBufferPointer<Float>) {
        precondition(power.count >= binCount && mel.count >= melCount)
        withApply { apply in apply(power.baseAddress!, mel.baseAddress!) }
    }

    /// Runs `body` with a function `(power [binCount], mel [melCount])` for hot loops: the weight tables are pinned
    /// once, so a call costs no reference counting (which would contend across threads).
    package func withApply<R>(_ body: ((UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> R) -> R {
        bandWeights.withUnsafeBufferPointer { w in
            offsets.withUnsafeBufferPointer { offsets in
                firstBin.withUnsafeBufferPointer { firstBin in
                    let melCount = melCount
                    return body { power, mel in
                        for m in 0..<melCount {
                            let weights = w.baseAddress! + offsets[m], spectrum = power + firstBin[m]
                            var sum: Float = 0
                            for i in 0..<offsets[m + 1] - offsets[m] { sum = Relaxed.multiplyAdd(weights[i], spectrum[i], sum) }
                            mel[m] = sum
                        }
                    }
                }
            }
        }
    }
}
