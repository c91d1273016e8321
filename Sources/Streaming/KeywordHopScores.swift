/// The keyword spotter's class probabilities for one window of a stream.
public struct KeywordHopScores: Sendable, Equatable {
    /// The window's index (window `k` starts at sample `k · hop`).
    public var window: Int
    /// The stream sample just past the window's end (the window covers `[endSample - clip, endSample)`).
    public var endSample: Int
    /// Class probabilities, `[classes]`, in the model's label order.
    public var probabilities: [Float]

    public init(window: Int, endSample: Int, probabilities: [Float]) {
        self.window = window
        self.endSample = endSample
        self.probabilities = probabilities
    }
}
