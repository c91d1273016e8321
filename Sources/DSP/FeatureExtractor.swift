import Foundation

/// Streams a signal into feature rows (STFT magnitude, log-mel or MFCC), one row per STFT frame.
///
/// ```swift
/// let extractor = try FeatureExtractor(kind: .logmel)
/// var rows: [Float] = []                                   // [frames * width]
/// extractor.push(block) { rows.append(contentsOf: $0) }    // any number of blocks
/// extractor.finish { rows.append(contentsOf: $0) }
/// ```
/// Pushing a signal in any block sizes gives the same rows as ``extract(_:)`` on the whole signal.
public final class FeatureExtractor {
    /// What each row holds.
    public let kind: FeatureKind
    /// The settings.
    public let configuration: FeatureConfiguration
    /// Values per row: `binCount`, `melCount` or `mfccCount`.
    public let width: Int
    private let analyzer: STFTAnalyzer
    private let filterbank: MelFilterbank
    private let dct: DCT
    private var magnitude: [Float]
    private var mel: [Float]
    private var row: [Float]

    /// - Throws: ``DSPError`` if the configuration is impossible.
    public init(kind: FeatureKind, configuration: FeatureConfiguration = FeatureConfiguration()) throws(DSPError) {
        try configuration.validate()
        self.kind = kind
        self.configuration = configuration
        analyzer = try STFTAnalyzer(configuration.stft)
        filterbank = try MelFilterbank(
            sampleRate: configuration.sampleRate, nFFT: configuration.stft.nFFT, melCount: configuration.melCount,
            fMin: configuration.fMin, fMax: configuration.fMax, scale: configuration.melScale,
            normalization: configuration.melNormalization)
        dct = DCT(inputCount: configuration.melCount, outputCount: configuration.mfccCount)
        width = switch kind {
        case .stft: configuration.stft.binCount
        case .logmel: configuration.melCount
        case .mfcc: configuration.mfccCount
        }
        magnitude = [Float](repeating: 0, count: configuration.stft.binCount)
        mel = [Float](repeating: 0, count: configuration.melCount)
        row = [Float](repeating: 0, count: width)
    }

    /// Rows emitted so far.
    public var framesEmitted: Int { analyzer.framesEmitted }

    /// Forgets all input.
    public func reset() { analyzer.reset() }

    /// Adds samples `[n]` and emits each completed row `[width]` (valid only during the call).
    public func push(_ samples: [Float], _ emit: (UnsafeBufferPointer<Float>) -> Void) {
        analyzer.push(samples) { spectrum in computeRow(spectrum, emit) }
    }

    /// Ends the signal and emits the last rows.
    public func finish(_ emit: (UnsafeBufferPointer<Float>) -> Void) {
        analyzer.finish { spectrum in computeRow(spectrum, emit) }
    }

    /// All rows of a whole signal.
    /// - Returns: `[frames * width]` row-major, and `frames`.
    public func extract(_ signal: [Float]) -> (values: [Float], frames: Int) {
        reset()
        var values = [Float]()
        values.reserveCapacity(configuration.stft.frameCount(samples: signal.count) * width)
        push(signal) { values.append(contentsOf: $0) }
        finish { values.append(contentsOf: $0) }
        let frames = analyzer.framesEmitted
        reset()
        return (values, frames)
    }

    private func computeRow(_ spectrum: UnsafeBufferPointer<Float>, _ emit: (UnsafeBufferPointer<Float>) -> Void) {
        let bins = configuration.stft.binCount
        let power = configuration.power
        magnitude.withUnsafeMutableBufferPointer { out in
            for k in 0..<bins {
                let re = spectrum[2 * k], im = spectrum[2 * k + 1]
                let squared = re * re + im * im
                out[k] = kind == .stft ? squared.squareRoot() : (power == 2 ? squared : pow(squared.squareRoot(), power))
            }
        }
        if kind == .stft {
            magnitude.withUnsafeBufferPointer { emit($0) }
            return
        }
        let offset = configuration.logOffset
        magnitude.withUnsafeBufferPointer { p in
            mel.withUnsafeMutableBufferPointer { m in
                filterbank.apply(p, into: m)
                for i in 0..<m.count { m[i] = log(m[i] + offset) }
            }
        }
        if kind == .logmel {
            mel.withUnsafeBufferPointer { emit($0) }
            return
        }
        mel.withUnsafeBufferPointer { m in row.withUnsafeMutableBufferPointer { dct.apply(m, into: $0) } }
        row.withUnsafeBufferPointer { emit($0) }
    }
}
