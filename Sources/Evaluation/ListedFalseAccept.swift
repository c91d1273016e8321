import Streaming

/// A false accept of an evaluated stream, as `eval-stream` lists it: when and for which keyword the detector fired,
/// how sure it was, and what the stream said there (when its `segments.csv` is known). A calibration's closest false
/// accepts are peaks of the smoothed score rather than events: the time and score are the peak's.
public struct ListedFalseAccept: Sendable, Equatable, Codable {
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

    /// A false accept whose segment is the one of `segments` that its window `[time - windowSeconds, time]` overlaps
    /// the longest (nil without segments).
    public init(timeSeconds: Double, keyword: String, score: Double, heardIn segments: [StreamSegment]?, windowSeconds: Double) {
        self.init(timeSeconds: timeSeconds, keyword: keyword, score: score,
                  segment: segments.flatMap { StreamSegment.said(in: $0, from: timeSeconds - windowSeconds, to: timeSeconds) })
    }

    /// The false accepts among `events` (those `matching` pairs with no label), highest score first (earlier first
    /// among equal scores), at most `limit`, each with the segment of `segments` its window `[time - windowSeconds,
    /// time]` overlaps the longest.
    public static func highest(
        _ events: [DetectionEvent], matching: DetectionMatching, segments: [StreamSegment]?, windowSeconds: Double, limit: Int
    ) -> [ListedFalseAccept] {
        matching.falseAcceptEvents.map { events[$0] }
            .sorted { ($0.score, -$0.timeSeconds) > ($1.score, -$1.timeSeconds) }
            .prefix(limit)
            .map { ListedFalseAccept(timeSeconds: $0.timeSeconds, keyword: $0.keyword, score: $0.score, heardIn: segments, windowSeconds: windowSeconds) }
    }

    /// `0.9826  filler "eh jarvis" (en-us)`: the score and what was said (the score alone without a segment).
    public var summary: String {
        let score = String(format: "%.4f", score)
        guard let said = segment else { return score }
        return score + "  \(said.kind) \"\(said.text)\"" + (said.voice.isEmpty ? "" : " (\(said.voice))")
    }
}
