/// The distribution of detection latencies (event time − label end, s; negative when a detector fires before the
/// keyword ends).
public struct LatencySummary: Sendable, Equatable, Codable {
    /// Number of latencies (matched events).
    public var count: Int
    /// Mean (s); 0 when `count` is 0, as are the others.
    public var mean: Double
    /// Median (s), the mean of the two middle values for an even count.
    public var median: Double
    /// 90th percentile (s), linearly interpolated between order statistics (numpy's default).
    public var percentile90: Double
    /// Smallest (s).
    public var minimum: Double
    /// Largest (s).
    public var maximum: Double

    /// Summarises `latencies` (`[n]`, seconds, any order).
    public init(_ latencies: [Double]) {
        let sorted = latencies.sorted()
        count = sorted.count
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        median = Statistics.quantile(sorted, 0.5)
        percentile90 = Statistics.quantile(sorted, 0.9)
        minimum = sorted.first ?? 0
        maximum = sorted.last ?? 0
    }
}
