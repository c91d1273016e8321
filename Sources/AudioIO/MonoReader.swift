/// Reads a file block by block as mono at a chosen rate: decode (``AudioFileReader``), mix down
/// (``AudioBuffer/mixedToMono()``), resample (``Resampler``) when the file's rate differs.
///
/// Memory is bounded by the block size whatever the file's length.
public final class MonoReader {
    /// The file's own description.
    public var info: AudioFileInfo { reader.info }
    /// The rate of the blocks returned (Hz).
    public let sampleRate: Int
    private let reader: AudioFileReader
    private let resampler: Resampler?
    private var flushed = false
    /// Frames of the file decoded so far (at the file's own rate).
    public private(set) var inputFrames = 0

    /// - Parameters:
    ///   - path: any file libsndfile reads.
    ///   - sampleRate: output rate; `nil` keeps the file's.
    /// - Throws: ``AudioIOError`` naming the path and the cause.
    public convenience init(path: String, sampleRate: Int? = nil) throws(AudioIOError) {
        try self.init(reader: AudioFileReader(path: path), sampleRate: sampleRate)
    }

    /// Reads on from an open reader (for inputs that can be opened only once: a FIFO, a pipe, a device).
    /// - Parameters:
    ///   - reader: an open file, at its start.
    ///   - sampleRate: output rate; `nil` keeps the file's.
    /// - Throws: ``AudioIOError`` if the rates cannot be converted.
    public init(reader: AudioFileReader, sampleRate: Int? = nil) throws(AudioIOError) {
        self.reader = reader
        self.sampleRate = sampleRate ?? reader.info.sampleRate
        resampler = self.sampleRate == reader.info.sampleRate
            ? nil : try Resampler(inputRate: reader.info.sampleRate, outputRate: self.sampleRate)
    }

    /// The next block of mono samples, or `nil` at the end; blocks may be empty while the resampler fills.
    /// - Parameter maxInputFrames: how many file frames to decode per call.
    /// - Returns: `[n]` samples at ``sampleRate``.
    public func read(maxInputFrames: Int = 65_536) throws(AudioIOError) -> [Float]? {
        if let block = try reader.read(maxFrames: maxInputFrames) {
            inputFrames += block.frameCount
            let mono = block.mixedToMono()
            guard let resampler else { return mono }
            return try resampler.process([mono])[0]
        }
        guard let resampler, !flushed else { return nil }
        flushed = true
        return try resampler.flush()[0]
    }

    /// Reads everything that is left, `[n]` at ``sampleRate``.
    /// - Throws: ``AudioIOError/noAudio(path:)`` if the file has no frames.
    public func readAll() throws(AudioIOError) -> [Float] {
        var samples = [Float]()
        while let block = try read() { samples += block }
        if samples.isEmpty { throw .noAudio(path: reader.path) }
        return samples
    }
}
