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
    /// Per-worker magnitude `[binCount]` and mel `[melCount]` scratch, `[threads, binCount + melCount]`.
    private let scratchBase: UnsafeMutablePointer<Float>

    /// - Parameters:
    ///   - threads: workers for long inputs (a live stream's few frames per block stay on the calling thread).
    /// - Throws: ``DSPError`` if the configuration is impossible.
    public init(kind: FeatureKind, configuration: FeatureConfiguration = FeatureConfiguration(), threads: Int = 1) throws(DSPError) {
        try configuration.validate()
        self.kind = kind
        self.configuration = configuration
        analyzer = try STFTAnalyzer(configuration.stft, threads: threads)
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
        let scratchCount = threads * (configuration.stft.binCount + configuration.melCount)
        scratchBase = .allocate(capacity: scratchCount)
        scratchBase.initialize(repeating: 0, count: scratchCount)
    }

    deinit { scratchBase.deallocate() }

    /// Rows emitted so far.
    public var framesEmitted: Int { analyzer.framesEmitted }

    /// Forgets all input.
    public func reset() { analyzer.reset() }

    /// Adds samples `[n]` and emits each completed row `[width]` (valid only during the call).
    public func push(_ samples: [Float], _ emit: (UnsafeBufferPointer<Float>) -> Void) {
        analyzer.analyze(samples, final: false, rowWidth: width, transform: computeRows) { emitRows($0, $1, emit) }
    }

    /// Ends the signal and emits the last rows.
    public func finish(_ emit: (UnsafeBufferPointer<Float>) -> Void) {
        analyzer.analyze([], final: true, rowWidth: width, transform: computeRows) { emitRows($0, $1, emit) }
    }

    private func emitRows(_ rows: UnsafeBufferPointer<Float>, _ count: Int, _ emit: (UnsafeBufferPointer<Float>) -> Void) {
        for frame in 0..<count { emit(UnsafeBufferPointer(rebasing: rows[frame * width..<(frame + 1) * width])) }
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

    /// Turns `count` spectra `[count, 2 * binCount]` into rows `[count, width]`, using `worker`'s scratch.
    /// Runs concurrently for different workers.
    private func computeRows(
        _ worker: Int, _ spectra: UnsafePointer<Float>, _ count: Int, _ rows: UnsafeMutablePointer<Float>
    ) {
        let bins = configuration.stft.binCount, mels = configuration.melCount, width = width
        let kind = kind, power = configuration.power, offset = configuration.logOffset
        let magnitude = scratchBase + worker * (bins + mels), mel = magnitude + bins
        filterbank.withApply { applyMel in
            dct.withApply { applyDCT in
                for frame in 0..<count {
                    let spectrum = spectra + frame * 2 * bins, row = rows + frame * width
                    let target = kind == .stft ? row : magnitude
                    for k in 0..<bins {
                        let re = spectrum[2 * k], im = spectrum[2 * k + 1]
                        target[k] = re * re + im * im
                    }
                    if kind == .stft {
                        for k in 0..<bins { row[k] = row[k].squareRoot() }
                        continue
                    }
                    if power != 2 {
                        for k in 0..<bins { magnitude[k] = pow(magnitude[k], power / 2) }
                    }
                    if kind == .stft { continue }
                    let logmel = kind == .logmel ? row : mel
                    applyMel(magnitude, logmel)
                    for i in 0..<mels { logmel[i] = log(logmel[i] + offset) }
                    if kind == .mfcc { applyDCT(mel, row) }
                }
            }
        }
    }
}
