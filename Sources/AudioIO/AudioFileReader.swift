import CSndfile

/// Reads any file libsndfile decodes (WAV, FLAC, OGG/Vorbis, AIFF, ...) at any rate and channel count into `Float`,
/// in blocks, so that hours-long inputs never sit in memory whole.
///
/// Integer formats are scaled to [-1, 1); float formats are returned as stored, except that a NaN or an infinity is
/// refused (``AudioIOError/nonFiniteSample(path:frame:channel:seconds:)``): no command can do anything sensible with one.
///
/// ```swift
/// let reader = try AudioFileReader(path: "mix.flac")
/// while let block = try reader.read(maxFrames: 65_536) { consume(block.mixedToMono()) }
/// ```
public final class AudioFileReader {
    /// The path as given.
    public let path: String
    /// The header's description of the audio.
    public let info: AudioFileInfo
    private let handle: OpaquePointer
    private var scratch: [Float] = []
    /// Frames returned so far (where the next block starts).
    private var framesRead = 0

    /// Opens `path` for reading.
    /// - Throws: ``AudioIOError`` naming the path and the cause (missing, directory, empty, not audio, no frames).
    public init(path: String) throws(AudioIOError) {
        try InputFile.validate(path)
        var sfInfo = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &sfInfo) else {
            throw .unreadable(path: path, reason: String(cString: sf_strerror(nil)))
        }
        guard sfInfo.samplerate > 0, sfInfo.channels > 0 else {
            sf_close(handle)
            throw .unreadable(path: path, reason: "header gives \(sfInfo.samplerate) Hz, \(sfInfo.channels) channels")
        }
        if let (promised, present) = Self.truncatedDataChunk(handle) {
            sf_close(handle)
            throw .truncated(path: path, promisedBytes: promised, presentBytes: present)
        }
        self.path = path
        self.handle = handle
        self.info = AudioFileInfo(
            format: Self.formatName(Int32(sfInfo.format) & Int32(SF_FORMAT_TYPEMASK), command: Int32(SFC_GET_FORMAT_MAJOR)),
            subtype: Self.formatName(Int32(sfInfo.format) & Int32(SF_FORMAT_SUBMASK), command: Int32(SFC_GET_FORMAT_SUBTYPE)),
            sampleRate: Int(sfInfo.samplerate), channelCount: Int(sfInfo.channels), frameCount: Int(sfInfo.frames))
    }

    deinit { sf_close(handle) }

    /// Reads the next block of at most `maxFrames` frames, or `nil` at the end of the file.
    /// - Returns: a buffer of `[channelCount][1...maxFrames]` samples.
    /// - Throws: ``AudioIOError/readFailed(path:reason:)`` if libsndfile reports a decoding error,
    ///   ``AudioIOError/nonFiniteSample(path:frame:channel:seconds:)`` at the first NaN or infinity.
    public func read(maxFrames: Int = 65_536) throws(AudioIOError) -> AudioBuffer? {
        precondition(maxFrames > 0)
        let channels = info.channelCount
        if scratch.count < maxFrames * channels { scratch = [Float](repeating: 0, count: maxFrames * channels) }
        let got = scratch.withUnsafeMutableBufferPointer { sf_readf_float(handle, $0.baseAddress, sf_count_t(maxFrames)) }
        if got <= 0 {
            let code = sf_error(handle)
            if code != 0 { throw .readFailed(path: path, reason: String(cString: sf_error_number(code))) }
            return nil
        }
        if let bad = scratch.withUnsafeBufferPointer({ AudioBuffer.firstNonFinite(in: UnsafeBufferPointer(rebasing: $0[0..<Int(got) * channels])) }) {
            let frame = framesRead + bad / channels
            throw .nonFiniteSample(
                path: path, frame: frame, channel: bad % channels, seconds: Double(frame) / Double(info.sampleRate))
        }
        framesRead += Int(got)
        return scratch.withUnsafeBufferPointer {
            AudioBuffer(
                sampleRate: info.sampleRate,
                interleaved: UnsafeBufferPointer(rebasing: $0[0..<Int(got) * channels]), channelCount: channels)
        }
    }

    /// Reads everything that is left.
    /// - Throws: ``AudioIOError/noAudio(path:)`` if nothing is left, or a read error.
    public func readAll() throws(AudioIOError) -> AudioBuffer {
        var channels = [[Float]](repeating: [], count: info.channelCount)
        for c in channels.indices { channels[c].reserveCapacity(max(info.frameCount, 0)) }
        while let block = try read(maxFrames: 1 << 16) {
            for c in channels.indices { channels[c].append(contentsOf: block.channels[c]) }
        }
        if channels[0].isEmpty { throw .noAudio(path: path) }
        return AudioBuffer(sampleRate: info.sampleRate, channels: channels)
    }

    /// Reads a whole file.
    /// - Returns: all its frames, `[channels][frames]`, at the file's rate.
    public static func read(path: String) throws(AudioIOError) -> AudioBuffer {
        try AudioFileReader(path: path).readAll()
    }

    /// The data chunk's promised and present sizes when libsndfile's log says the file ends early (WAV, AIFF, ...).
    /// Streaming writers' placeholder sizes (0, 0x7FFFFFFF, 0xFFFFFFFF) are not truncation.
    private static func truncatedDataChunk(_ handle: OpaquePointer) -> (Int, Int)? {
        var log = [CChar](repeating: 0, count: 8192)
        sf_command(handle, Int32(SFC_GET_LOG_INFO), &log, Int32(log.count))
        let text = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("data") || line.hasPrefix("SSND") {
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            guard line.contains("should be"), numbers.count >= 2 else { continue }
            let (promised, present) = (numbers[numbers.count - 2], numbers[numbers.count - 1])
            if present < promised && ![0, 0x7FFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFE].contains(promised) {
                return (promised, present)
            }
        }
        return nil
    }

    private static func formatName(_ format: Int32, command: Int32) -> String {
        var count: Int32 = 0
        let countCommand = command == Int32(SFC_GET_FORMAT_MAJOR) ? SFC_GET_FORMAT_MAJOR_COUNT : SFC_GET_FORMAT_SUBTYPE_COUNT
        sf_command(nil, Int32(countCommand), &count, Int32(MemoryLayout<Int32>.size))
        for index in 0..<count {
            var formatInfo = SF_FORMAT_INFO()
            formatInfo.format = index
            sf_command(nil, command, &formatInfo, Int32(MemoryLayout<SF_FORMAT_INFO>.size))
            if formatInfo.format == format, let name = formatInfo.name { return String(cString: name) }
        }
        return String(format, radix: 16)
    }
}
