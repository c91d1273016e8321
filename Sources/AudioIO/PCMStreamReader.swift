import Foundation

/// The raw sample encodings read from pipes.
public enum PCMSampleFormat: String, Sendable, CaseIterable, Codable {
    /// Signed 16-bit little-endian integers, scaled by 1/32768.
    case s16le
    /// 32-bit little-endian IEEE floats.
    case f32le

    /// Bytes per sample.
    public var bytesPerSample: Int { self == .s16le ? 2 : 4 }
}

/// Reads headerless PCM (`s16le` or `f32le`, interleaved, rate and channels given) from a file descriptor, such as
/// standard input fed by `arecord`, in blocks of whole frames.
///
/// Short reads are normal on pipes: bytes of an incomplete frame are kept for the next call. At end of input a
/// trailing partial frame is dropped and counted in ``droppedTrailingBytes``.
public final class PCMStreamReader {
    /// A name for messages ("stdin" or the path).
    public let source: String
    /// Sample encoding.
    public let format: PCMSampleFormat
    /// Samples per second (Hz).
    public let sampleRate: Int
    /// Channels per frame.
    public let channelCount: Int
    /// Bytes of an incomplete last frame that were discarded at end of input.
    public private(set) var droppedTrailingBytes = 0
    /// Whether end of input has been reached.
    public private(set) var isFinished = false
    /// Asked while waiting for input (every 100 ms, and when a read is interrupted by a signal): returning true ends
    /// the input there, as end of file would, so that a stop signal ends a wait on a live pipe whichever thread the
    /// signal was delivered to. Without it, reads simply block.
    public var shouldStop: (() -> Bool)?
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var pending: [UInt8] = []
    /// Frames returned so far (where the next block starts).
    private var framesRead = 0
    private var chunk: [UInt8]

    /// Reads from an open descriptor (for example `STDIN_FILENO`), which stays open after the reader is gone.
    /// - Throws: ``AudioIOError/invalidParameter(name:value:reason:)`` for impossible rates or channel counts.
    public convenience init(
        descriptor: Int32, source: String, format: PCMSampleFormat, sampleRate: Int, channelCount: Int
    ) throws(AudioIOError) {
        try self.init(
            descriptor: descriptor, owns: false, source: source, format: format, sampleRate: sampleRate,
            channelCount: channelCount)
    }

    /// Opens a file (or FIFO) of raw PCM.
    /// - Throws: ``AudioIOError`` for a missing path, a directory, or impossible parameters.
    public convenience init(path: String, format: PCMSampleFormat, sampleRate: Int, channelCount: Int) throws(AudioIOError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .fileNotFound(path: path) }
        if isDirectory.boolValue { throw .isDirectory(path: path) }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .streamFailed(source: path, reason: String(cString: strerror(errno))) }
        try self.init(
            descriptor: fd, owns: true, source: path, format: format, sampleRate: sampleRate, channelCount: channelCount)
    }

    private init(
        descriptor: Int32, owns: Bool, source: String, format: PCMSampleFormat, sampleRate: Int, channelCount: Int
    ) throws(AudioIOError) {
        guard (1...1_000_000).contains(sampleRate) else {
            if owns { close(descriptor) }
            throw .invalidParameter(name: "sample rate", value: "\(sampleRate) Hz", reason: "must be between 1 and 1000000 Hz")
        }
        guard (1...64).contains(channelCount) else {
            if owns { close(descriptor) }
            throw .invalidParameter(name: "channel count", value: "\(channelCount)", reason: "must be 1 to 64")
        }
        self.descriptor = descriptor
        self.ownsDescriptor = owns
        self.source = source
        self.format = format
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.chunk = [UInt8](repeating: 0, count: 1 << 16)
    }

    deinit { if ownsDescriptor { close(descriptor) } }

    /// Waits until the descriptor is readable (or at its end); false if `shouldStop` said to stop first.
    private func waitForInput(_ shouldStop: () -> Bool) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            if shouldStop() { return false }
            let ready = poll(&entry, 1, 100)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR && errno != EAGAIN { return true }  // let read() report the error
        }
    }

    /// Blocks until at least one whole frame is available (or end of input), then returns up to `maxFrames` frames.
    /// - Returns: `[channelCount][1...maxFrames]`, or `nil` at end of input.
    /// - Throws: ``AudioIOError/streamFailed(source:reason:)`` on a read error,
    ///   ``AudioIOError/nonFiniteSample(path:frame:channel:seconds:)`` at the first NaN or infinity (`f32le`).
    public func read(maxFrames: Int = 4096) throws(AudioIOError) -> AudioBuffer? {
        precondition(maxFrames > 0)
        let frameBytes = format.bytesPerSample * channelCount
        while pending.count < frameBytes && !isFinished {
            if let shouldStop, !waitForInput(shouldStop) {
                isFinished = true
                break
            }
            let want = min(chunk.count, max(frameBytes, maxFrames * frameBytes - pending.count))
            let got = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, want) }
            if got < 0 {
                if errno == EINTR, shouldStop?() == true {
                    isFinished = true
                    break
                }
                if errno == EINTR || errno == EAGAIN { continue }
                throw .streamFailed(source: source, reason: String(cString: strerror(errno)))
            }
            if got == 0 {
                isFinished = true
                droppedTrailingBytes = pending.count % frameBytes
            } else {
                pending.append(contentsOf: chunk[0..<got])
            }
        }
        let frames = min(maxFrames, pending.count / frameBytes)
        if frames == 0 { return nil }
        let samples = frames * channelCount
        var interleaved = [Float](repeating: 0, count: samples)
        pending.withUnsafeBytes { raw in
            switch format {
            case .s16le:
                for i in 0..<samples {
                    let bits = UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8
                    interleaved[i] = Float(Int16(bitPattern: bits)) / 32768
                }
            case .f32le:
                for i in 0..<samples {
                    let bits = UInt32(raw[4 * i]) | UInt32(raw[4 * i + 1]) << 8 | UInt32(raw[4 * i + 2]) << 16
                        | UInt32(raw[4 * i + 3]) << 24
                    interleaved[i] = Float(bitPattern: bits)
                }
            }
        }
        pending.removeFirst(frames * frameBytes)
        if format == .f32le, let bad = interleaved.withUnsafeBufferPointer({ AudioBuffer.firstNonFinite(in: $0) }) {
            let frame = framesRead + bad / channelCount
            throw .nonFiniteSample(
                path: source, frame: frame, channel: bad % channelCount, seconds: Double(frame) / Double(sampleRate))
        }
        framesRead += frames
        return interleaved.withUnsafeBufferPointer {
            AudioBuffer(sampleRate: sampleRate, interleaved: $0, channelCount: channelCount)
        }
    }
}
