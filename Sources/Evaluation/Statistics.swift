/// Order statistics of `Double` samples for the summaries.
enum Statistics {
    /// The `q` quantile (`0...1`) of ascending `sorted` values, interpolated linearly between order statistics
    /// (numpy's default); 0 for no values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(sorted.count - 1, lower + 1)
        return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    /// The mean of the finite values; 0 for none.
    static func mean(_ values: [Double]) -> Double {
        let finite = values.filter(\.isFinite)
        return finite.isEmpty ? 0 : finite.reduce(0, +) / Double(finite.count)
    }

    /// The median of the finite values; 0 for none.
    static func median(_ values: [Double]) -> Double { quantile(values.filter(\.isFinite).sorted(), 0.5) }
}
