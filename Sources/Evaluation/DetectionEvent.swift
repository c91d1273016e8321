/// A keyword detection fired by a streaming spotter: `keyword` at `timeSeconds` with confidence `score`.
public struct DetectionEvent: Sendable, Equatable, Codable {
    /// When the detector fired (s from the stream's start).
    public var timeSeconds: Double
    /// The detected keyword's label.
    public var keyword: String
    /// Detection confidence; higher is surer (a posterior in `0...1` for our spotter, but any scale works).
    public var score: Double

    /// An event at `timeSeconds` (s) for `keyword` with confidence `score`.
    public init(timeSeconds: Double, keyword: String, score: Double) {
        self.timeSeconds = timeSeconds
        self.keyword = keyword
        self.score = score
    }
}
