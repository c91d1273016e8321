/// A false accept of an evaluated stream, as `eval-stream` lists it: when and for which keyword the detector fired,
/// how sure it was, and what the stream said there (when its `segments.csv` is known).
public struct ListedFalseAccept: Sendable, Equatable {
    /// The end of the window that fired (s).
    public var timeSeconds: Double
    /// The keyword it fired for.
    public var keyword: String
    /// The smoothed score that fired.
    public var score: Double
    /// The stream's segment that overlaps the firing window the longest (nil without segments, or in a pause).
    public var segment: StreamSegment?

    public init(timeSeconds: Double, keyword: String, score: Double, segment: StreamSegment?) {
        self.timeSeconds = timeSeconds
        self.keyword = keyword
        self.score = score
        self.segment = segment
    }
}
