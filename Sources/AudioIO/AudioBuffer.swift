/// Audio in memory: planar `Float` channels (nominally in [-1, 1]) at one sample rate.
///
/// Shape: `channels[c][t]`, `c` in `0..<channelCount`, `t` in `0..<frameCount`. Every channel has the same length.
public struct AudioBuffer: Sendable, Equatable {
    /// Samples per second (Hz).
    public var sampleRate: Int
    /// One array per channel, all of length `frameCount`.
    public var channels: [[Float]]

    /// Creates a buffer from planar channels.
    /// - Precondition: at least one channel, all channels of equal length, `sampleRate > 0`.
    public init(sampleRate: Int, channels: [[Float]]) {
        precondition(sampleRate > 0, "sample rate must be positive")
        precondition(!channels.isEmpty, "an audio buffer needs at least one channel")
        precondition(channels.allSatisfy { $0.count == channels[0].count }, "channels differ in length")
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// A one-channel buffer.
    public init(sampleRate: Int, mono samples: [Float]) {
        self.init(sampleRate: sampleRate, channels: [samples])
    }

    /// The index of the first NaN or infinity in `samples`, if any (interleaved or planar, as stored).
    static func firstNonFinite(in samples: UnsafeBufferPointer<Float>) -> Int? {
        // One cheap pass in the common case: x * 0 is 0 for every finite x, NaN otherwise.
        var probe: Float = 0
        for x in samples { probe += x * 0 }
        guard probe.isNaN else { return nil }
        return samples.firstIndex { !$0.isFinite }
    }

    /// Number of channels.
    public var channelCount: Int { channels.count }
    /// Number of frames (samples per channel).
    public var frameCount: Int { channels[0].count }
    /// Length in seconds.
    public var duration: Double { Double(frameCount) / Double(sampleRate) }

    /// The average of all channels, `[frameCount]`. A mono buffer returns its only channel.
    public func mixedToMono() -> [Float] {
        if channelCount == 1 { return channels[0] }
        var mono = [Float](repeating: 0, count: frameCount)
        let scale = 1 / Float(channelCount)
        mono.withUnsafeMutableBufferPointer { out in
            for channel in channels {
                channel.withUnsafeBufferPointer { input in
                    for t in 0..<out.count { out[t] += input[t] * scale }
                }
            }
        }
        return mono
    }

    /// Splits interleaved samples `[frames * channelCount]` into planar channels.
    public init(sampleRate: Int, interleaved: UnsafeBufferPointer<Float>, channelCount: Int) {
        precondition(channelCount > 0 && interleaved.count % channelCount == 0)
        let frames = interleaved.count / channelCount
        var planar = [[Float]](repeating: [], count: channelCount)
        for c in 0..<channelCount {
            planar[c] = [Float](unsafeUninitializedCapacity: frames) { out, initialized in
                for t in 0..<frames { out[t] = interleaved[t * channelCount + c] }
                initialized = frames
            }
        }
        self.init(sampleRate: sampleRate, channels: planar)
    }

    /// The samples interleaved frame by frame, `[frameCount * channelCount]`.
    public func interleaved() -> [Float] {
        if channelCount == 1 { return channels[0] }
        let frames = frameCount, count = channelCount
        return [Float](unsafeUninitializedCapacity: frames * count) { out, initialized in
            for (c, channel) in channels.enumerated() {
                for t in 0..<frames { out[t * count + c] = channel[t] }
            }
            initialized = frames * count
        }
    }
}
