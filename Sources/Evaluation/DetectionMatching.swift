/// Which detection events matched which keyword labels at one threshold (see
/// ``KeywordMetrics/match(labels:events:threshold:toleranceSeconds:)`` for the rule).
public struct DetectionMatching: Sendable, Equatable {
    /// `eventForLabel[l]`: the index of the event that matched label `l`, or `nil` (a miss); `[labels]`.
    public var eventForLabel: [Int?]
    /// Indices of the events that matched no label (false accepts), in time order.
    public var falseAcceptEvents: [Int]
    /// Per matched label, in label order: event time − label end (s).
    public var latencies: [Double]

    /// A matching from its parts (indices into the labels and events it was computed from).
    public init(eventForLabel: [Int?], falseAcceptEvents: [Int], latencies: [Double]) {
        self.eventForLabel = eventForLabel
        self.falseAcceptEvents = falseAcceptEvents
        self.latencies = latencies
    }

    /// Labels matched by an event.
    public var hits: Int { eventForLabel.count { $0 != nil } }
    /// Labels matched by no event.
    public var misses: Int { eventForLabel.count { $0 == nil } }
}
