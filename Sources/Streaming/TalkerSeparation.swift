/// How ``KeywordDetector`` separates a stream before spotting: a separation model run in overlapping windows.
public struct TalkerSeparation {
    /// The model's rate (Hz).
    public var sampleRate: Int
    /// Talkers the model outputs.
    public var speakers: Int
    /// The windowing (in samples at ``sampleRate``).
    public var plan: ChunkPlan
    /// The model: `[n] -> [speakers][n]` at ``sampleRate``, `n` at most one window.
    public var separate: ([Float]) -> [[Float]]

    public init(sampleRate: Int, speakers: Int, plan: ChunkPlan, separate: @escaping ([Float]) -> [[Float]]) {
        self.sampleRate = sampleRate
        self.speakers = speakers
        self.plan = plan
        self.separate = separate
    }
}
