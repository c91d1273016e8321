/// SI-SNRi over a named subset of the utterances (an engine family, a pair of families), in the summary JSON and
/// the text table.
public struct SeparationSubset: Sendable, Equatable, Codable {
    /// The subset (`engine festival`, `engines festival+pico`).
    public var name: String
    /// SI-SNR improvement over its utterances (dB); `count` is their number.
    public var siSNRImprovement: MetricSummary

    /// Snake-case JSON keys under the reports' key strategy.
    enum CodingKeys: String, CodingKey {
        case name, siSNRImprovement = "siSnrImprovement"
    }

    /// The subsets of `rows`: each name any row's `names(row)` gives, with the SI-SNRi of the rows that have it,
    /// sorted by name.
    /// - Returns: `[subsets]`, empty when no row belongs to any.
    public static func subsets(of rows: [SeparationResult], names: (SeparationResult) -> [String]) -> [SeparationSubset] {
        var values: [String: [Double]] = [:]
        for row in rows {
            for name in names(row) { values[name, default: []].append(row.siSNRImprovement) }
        }
        return values.keys.sorted().map { SeparationSubset(name: $0, siSNRImprovement: MetricSummary(values[$0]!)) }
    }
}
