/// The best operating point at a false-accept budget: the lowest false-reject rate among thresholds whose false
/// accepts per hour do not exceed `targetFalseAcceptsPerHour`, with the latencies of its hits.
public struct DetectionTargetResult: Sendable, Equatable, Codable {
    /// The budget (false accepts per hour).
    public var targetFalseAcceptsPerHour: Double
    /// The chosen operating point (threshold, counts, rates).
    public var point: DetectionOperatingPoint
    /// Latencies of the matched events at that threshold.
    public var latency: LatencySummary

    /// A budget with its chosen operating point and that point's latencies.
    public init(targetFalseAcceptsPerHour: Double, point: DetectionOperatingPoint, latency: LatencySummary) {
        self.targetFalseAcceptsPerHour = targetFalseAcceptsPerHour
        self.point = point
        self.latency = latency
    }
}
