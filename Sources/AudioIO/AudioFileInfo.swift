/// What a file's header says about its audio.
public struct AudioFileInfo: Sendable, Equatable, Codable {
    /// The container, as libsndfile names it (for example "WAV (Microsoft)").
    public var format: String
    /// The sample encoding, as libsndfile names it (for example "Signed 16 bit PCM").
    public var subtype: String
    /// Samples per second (Hz).
    public var sampleRate: Int
    /// Number of channels.
    public var channelCount: Int
    /// Number of frames (samples per channel).
    public var frameCount: Int

    /// Length in seconds.
    public var duration: Double { Double(frameCount) / Double(sampleRate) }

    public init(format: String, subtype: String, sampleRate: Int, channelCount: Int, frameCount: Int) {
        self.format = format
        self.subtype = subtype
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.frameCount = frameCount
    }
}
