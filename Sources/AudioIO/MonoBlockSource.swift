import Foundation

/// Mono blocks at a model's rate from an audio file (any format libsndfile reads) or from raw PCM on stdin, resampled
/// and mixed down on the way; memory is one block whatever the input's length.
///
/// ```swift
/// let source = MonoBlockSource(file: try MonoReader(path: "talk.flac", sampleRate: 8_000))
/// while let block = try source.next() { consume(block) }   // [n] at 8 kHz
/// ```
public final class MonoBlockSource {
    /// The rate outputs are written at (the input's own).
    public let inputRate: Int
    private let file: MonoReader?
    private let stdin: PCMStreamReader?
    private let resampler: Resampler?

    /// Blocks of a file, read and resampled by `file`.
    public init(file: MonoReader) {
        self.file = file
        stdin = nil
        resampler = nil
        inputRate = file.info.sampleRate
    }

    /// Blocks of raw PCM from `stdin`, mixed down and resampled to `modelRate`.
    /// - Throws: `AudioIOError` if the rates cannot be converted.
    public init(stdin: PCMStreamReader, modelRate: Int) throws {
        self.stdin = stdin
        file = nil
        inputRate = stdin.sampleRate
        resampler = stdin.sampleRate == modelRate ? nil : try Resampler(inputRate: stdin.sampleRate, outputRate: modelRate)
    }

    /// Frames of the input read so far, at its own rate (what each output's length must match).
    public var inputFrames: Int { file?.inputFrames ?? stdinFrames }
    private var stdinFrames = 0

    /// The next block, `[n]` at the model rate, or nil at the end.
    public func next() throws -> [Float]? {
        if let file { return try file.read() }
        guard let stdin else { return nil }
        if let block = try stdin.read(maxFrames: 8_192) {
            stdinFrames += block.frameCount
            let mono = block.mixedToMono()
            return try resampler.map { try $0.process([mono])[0] } ?? mono
        }
        if let resampler, !stdin.isFinished || !flushed {
            flushed = true
            let tail = try resampler.flush()[0]
            return tail.isEmpty ? nil : tail
        }
        return nil
    }

    private var flushed = false
}
