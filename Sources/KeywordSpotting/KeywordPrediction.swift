/// The spotter's answer for one window.
public struct KeywordPrediction: Sendable, Equatable {
    /// The most probable label (Speech Commands spelling, e.g. `yes`, `_unknown_`, `_silence_`).
    public var label: String
    /// Its class index.
    public var index: Int
    /// Its probability.
    public var score: Float
    /// All class probabilities `[classes]`.
    public var probabilities: [Float]
}
