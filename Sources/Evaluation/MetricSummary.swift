/// Mean and median of one metric over the utterances (finite values only), with how many there were.
public struct MetricSummary: Sendable, Equatable, Codable {
    /// Utterances with a finite value.
    public var count: Int
    /// Mean (dB); 0 when `count` is 0.
    public var mean: Double
    /// Median (dB), the mean of the two middle values for an even count; 0 when `count` is 0.
    public var median: Double

    /// Summarises `values` (`[n]`, non-finite ones are skipped: an SDR can be `+infinity`).
    public init(_ values: [Double]) {
        count = values.count { $0.isFinite }
        mean = Statistics.mean(values)
        median = Statistics.median(values)
    }
}
