import Separation

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

    /// A separator run in `plan`'s windows on a workspace of its own (``MossFormer2Workspace``), so the loaded
    /// model may serve other streams at the same time; one stream uses the result.
    /// - Parameters:
    ///   - separator: the model (only read).
    ///   - plan: the windowing, in samples at the model's rate.
    ///   - bothPolarities: also separate the negated mixture and average (default: as the model's configuration asks).
    public init(separator: MossFormer2Separator, plan: ChunkPlan, bothPolarities: Bool? = nil) {
        let workspace = separator.makeWorkspace()
        let both = bothPolarities ?? separator.configuration.bothPolarities ?? false
        self.init(
            sampleRate: separator.configuration.sampleRate, speakers: separator.configuration.numSpks, plan: plan,
            separate: { separator.separate($0, shifts: 1, bothPolarities: both, workspace: workspace) })
    }
}
