import CSndfile
import Foundation

/// Writes audio in blocks to a temporary file beside the destination and renames it into place on ``finish()``,
/// so an interrupted write never leaves a partial file under the destination's name.
///
/// ```swift
/// let writer = try AudioFileWriter(path: "out.wav", format: .wav16, sampleRate: 16_000, channelCount: 1)
/// try writer.write(block)   // any number of times
/// try writer.finish()
/// ```
public final class AudioFileWriter {
    /// The destination path.
    public var path: String { output.destination }
    /// Samples per second.
    public let sampleRate: Int
    /// Channels per frame.
    public let channelCount: Int
    /// Frames written so far.
    public private(set) var framesWritten = 0
    private let output: AtomicOutput
    private var handle: OpaquePointer?

    /// Creates the temporary file.
    /// - Parameters:
    ///   - path: destination; its folder must exist and it must not be one of `inputs`.
    ///   - format: encoding; `nil` picks it from the extension.
    /// - Throws: ``AudioIOError`` naming the path and the cause.
    public init(
        path: String, format: AudioFileFormat? = nil, sampleRate: Int, channelCount: Int, inputs: [String] = []
    ) throws(AudioIOError) {
        guard sampleRate > 0 else {
            throw .invalidParameter(name: "sample rate", value: "\(sampleRate)", reason: "must be positive")
        }
        guard (1...64).contains(channelCount) else {
            throw .invalidParameter(name: "channel count", value: "\(channelCount)", reason: "must be 1 to 64")
        }
        guard let format = format ?? AudioFileFormat(pathExtension: URL(fileURLWithPath: path).pathExtension) else {
            throw .unknownOutputFormat(path: path)
        }
        output = try AtomicOutput(destination: path, inputs: inputs)
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        var sfInfo = SF_INFO()
        sfInfo.samplerate = Int32(sampleRate)
        sfInfo.channels = Int32(channelCount)
        sfInfo.format = Self.sndfileFormat(format)
        guard sf_format_check(&sfInfo) != 0 else {
            throw .invalidParameter(
                name: "output", value: "\(format.rawValue) at \(sampleRate) Hz", reason: "libsndfile cannot write it")
        }
        guard let handle = sf_open(output.temporaryPath, Int32(SFM_WRITE), &sfInfo) else {
            throw .writeFailed(path: path, reason: String(cString: sf_strerror(nil)))
        }
        self.handle = handle
        sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
    }

    deinit { if let handle { sf_close(handle) } }

    /// Appends a block; it must have this writer's channel count.
    /// - Throws: ``AudioIOError/writeFailed(path:reason:)``.
    public func write(_ block: AudioBuffer) throws(AudioIOError) {
        precondition(block.channelCount == channelCount, "block has \(block.channelCount) channels, writer \(channelCount)")
        try write(interleaved: block.interleaved())
    }

    /// Appends interleaved samples `[frames * channelCount]`.
    /// - Throws: ``AudioIOError/writeFailed(path:reason:)``.
    public func write(interleaved samples: [Float]) throws(AudioIOError) {
        guard let handle else { preconditionFailure("write after finish") }
        precondition(samples.count % channelCount == 0)
        let frames = samples.count / channelCount
        let written = samples.withUnsafeBufferPointer { sf_writef_float(handle, $0.baseAddress, sf_count_t(frames)) }
        if written != frames {
            let reason = String(cString: sf_strerror(handle))
            cancel()
            throw .writeFailed(path: path, reason: reason)
        }
        framesWritten += frames
    }

    /// Closes the file and renames it to the destination.
    /// - Throws: ``AudioIOError/writeFailed(path:reason:)``.
    public func finish() throws(AudioIOError) {
        guard let handle else { return }
        self.handle = nil
        if sf_close(handle) != 0 {
            output.abandon()
            throw .writeFailed(path: path, reason: "closing the file failed")
        }
        try output.commit()
    }

    /// Closes and deletes the temporary file; the destination is untouched.
    public func cancel() {
        if let handle { sf_close(handle) }
        handle = nil
        output.abandon()
    }

    /// Writes a whole buffer to `path`.
    public static func write(
        _ buffer: AudioBuffer, to path: String, format: AudioFileFormat? = nil, inputs: [String] = []
    ) throws(AudioIOError) {
        let writer = try AudioFileWriter(
            path: path, format: format, sampleRate: buffer.sampleRate, channelCount: buffer.channelCount, inputs: inputs)
        try writer.write(buffer)
        try writer.finish()
    }

    private static func sndfileFormat(_ format: AudioFileFormat) -> Int32 {
        switch format {
        case .wav16: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        case .wavFloat: Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT)
        case .flac: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
        case .ogg: Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)
        case .aiff: Int32(SF_FORMAT_AIFF | SF_FORMAT_PCM_16)
        case .s16le: Int32(SF_FORMAT_RAW | SF_FORMAT_PCM_16 | SF_ENDIAN_LITTLE)
        }
    }
}
