import CSoxr

/// Sample-rate conversion with libsoxr at high quality (`SOXR_HQ`: 20-bit precision, 95% band), one-shot or in
/// streaming blocks. Channels are planar on both sides; the state of every channel is kept between blocks.
///
/// ```swift
/// let resampler = try Resampler(inputRate: 44_100, outputRate: 16_000, channelCount: 1)
/// for block in blocks { out += try resampler.process([block])[0] }
/// out += try resampler.flush()[0]
/// ```
public final class Resampler {
    /// Input rate (Hz).
    public let inputRate: Int
    /// Output rate (Hz).
    public let outputRate: Int
    /// Channels per frame.
    public let channelCount: Int
    private let soxr: soxr_t
    private var interleavedIn: [Float] = []
    private var interleavedOut: [Float] = []

    /// - Throws: ``AudioIOError/invalidParameter(name:value:reason:)`` for non-positive rates or channel counts,
    ///   ``AudioIOError/resamplerFailed(reason:)`` if libsoxr refuses.
    public init(inputRate: Int, outputRate: Int, channelCount: Int = 1) throws(AudioIOError) {
        for (name, value) in [("input rate", inputRate), ("output rate", outputRate)] where value <= 0 || value > 1_000_000 {
            throw .invalidParameter(name: name, value: "\(value) Hz", reason: "must be between 1 and 1000000 Hz")
        }
        guard (1...64).contains(channelCount) else {
            throw .invalidParameter(name: "channel count", value: "\(channelCount)", reason: "must be 1 to 64")
        }
        var error: soxr_error_t? = nil
        var quality = soxr_quality_spec(UInt(SOXR_HQ), 0)
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        guard let soxr = soxr_create(Double(inputRate), Double(outputRate), UInt32(channelCount), &error, &io, &quality, nil),
            error == nil
        else {
            throw .resamplerFailed(reason: error.map { String(cString: $0) } ?? "soxr_create failed")
        }
        self.soxr = soxr
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.channelCount = channelCount
    }

    deinit { soxr_delete(soxr) }

    /// Converts the next block. Output lags input by the filter delay; ``flush()`` returns the rest.
    /// - Parameter channels: `[channelCount][frames]`.
    /// - Returns: `[channelCount][framesOut]`.
    public func process(_ channels: [[Float]]) throws(AudioIOError) -> [[Float]] {
        precondition(channels.count == channelCount)
        let frames = channels[0].count
        interleavedIn = channelCount == 1
            ? channels[0]
            : AudioBuffer(sampleRate: inputRate, channels: channels).interleaved()
        return try run(frames: frames, final: false)
    }

    /// Drains the filter at the end of the input.
    /// - Returns: the last `[channelCount][framesOut]` frames.
    public func flush() throws(AudioIOError) -> [[Float]] {
        interleavedIn = []
        return try run(frames: 0, final: true)
    }

    /// Converts a whole signal in one call (process + flush).
    /// - Returns: `[channelCount][round(frames * outputRate / inputRate)]`.
    public static func resample(_ buffer: AudioBuffer, to outputRate: Int) throws(AudioIOError) -> AudioBuffer {
        if buffer.sampleRate == outputRate { return buffer }
        let resampler = try Resampler(inputRate: buffer.sampleRate, outputRate: outputRate, channelCount: buffer.channelCount)
        var out = try resampler.process(buffer.channels)
        let tail = try resampler.flush()
        for c in out.indices { out[c] += tail[c] }
        return AudioBuffer(sampleRate: outputRate, channels: out)
    }

    /// Converts a whole signal and cuts or zero-pads each channel at the end to exactly `frames`: for a round trip
    /// between rates, or a conversion whose length must match another signal's.
    /// - Returns: `[channelCount][frames]`.
    public static func resample(_ buffer: AudioBuffer, to outputRate: Int, frames: Int) throws(AudioIOError) -> AudioBuffer {
        let converted = try resample(buffer, to: outputRate)
        return AudioBuffer(sampleRate: outputRate, channels: converted.channels.map { channel in
            channel.count >= frames ? Array(channel.prefix(frames)) : channel + [Float](repeating: 0, count: frames - channel.count)
        })
    }

    private func run(frames: Int, final: Bool) throws(AudioIOError) -> [[Float]] {
        let ratio = Double(outputRate) / Double(inputRate)
        let capacity = Int((Double(frames) * ratio).rounded(.up)) + 1024
        var result = [[Float]](repeating: [], count: channelCount)
        var consumed = 0
        while true {
            if interleavedOut.count < capacity * channelCount {
                interleavedOut = [Float](repeating: 0, count: capacity * channelCount)
            }
            var inputDone = 0
            var outputDone = 0
            let remaining = frames - consumed
            let error: soxr_error_t? = interleavedIn.withUnsafeBufferPointer { input in
                interleavedOut.withUnsafeMutableBufferPointer { output in
                    let start = input.baseAddress.map { $0 + consumed * channelCount }
                    return soxr_process(
                        soxr, final ? nil : UnsafeRawPointer(start), remaining, &inputDone,
                        output.baseAddress, capacity, &outputDone)
                }
            }
            if let error { throw .resamplerFailed(reason: String(cString: error)) }
            consumed += inputDone
            for c in 0..<channelCount {
                for t in 0..<outputDone { result[c].append(interleavedOut[t * channelCount + c]) }
            }
            // Stop when all input is taken and the call produced less than a full output buffer.
            if consumed >= frames && outputDone < capacity { break }
        }
        return result
    }
}
