import Foundation

/// The result of ``KeywordMetrics/evaluateStream(labels:events:durationSeconds:toleranceSeconds:targets:)``:
/// false-reject rates at false-accept budgets, latencies, and the DET curve. Codable (see ``json()``), printable
/// (``textTable()``) and plottable (``detCurveSVG()``).
public struct StreamingDetectionReport: Sendable, Equatable, Codable {
    /// The stream's length (s).
    public var durationSeconds: Double
    /// Ground-truth keyword occurrences.
    public var labelCount: Int
    /// Detection events (at any score).
    public var eventCount: Int
    /// Matching tolerance after a label's end (s).
    public var toleranceSeconds: Double
    /// One result per false-accept budget, in the order asked for.
    public var targets: [DetectionTargetResult]
    /// The outcome at the lowest threshold: every event of the events given, or a sweep's lowest threshold (its
    /// target is `+infinity`; printed as the row `lowest`).
    public var allEvents: DetectionTargetResult
    /// Operating points by decreasing threshold, from `+infinity` (nothing accepted).
    public var curve: [DetectionOperatingPoint]

    /// A report from its parts (see the properties for units).
    public init(
        durationSeconds: Double, labelCount: Int, eventCount: Int, toleranceSeconds: Double,
        targets: [DetectionTargetResult], allEvents: DetectionTargetResult, curve: [DetectionOperatingPoint]
    ) {
        self.durationSeconds = durationSeconds
        self.labelCount = labelCount
        self.eventCount = eventCount
        self.toleranceSeconds = toleranceSeconds
        self.targets = targets
        self.allEvents = allEvents
        self.curve = curve
    }

    /// A summary for stdout: one row per budget (and one for all events) with threshold, FRR, false accepts and
    /// latency statistics.
    public func textTable() -> String {
        var lines = [
            String(format: "stream %.1f s (%.3f h), %d keyword labels, %d events, tolerance %.2f s",
                   durationSeconds, durationSeconds / 3600, labelCount, eventCount, toleranceSeconds),
            "FA/h budget  threshold   FRR      misses  FA  FA/h     latency mean  median  p90 (s)",
        ]
        for result in targets + [allEvents] {
            let p = result.point, l = result.latency
            // The last row is the sweep's lowest threshold: not the most keywords found, since the detector's
            // refractory period lets any early event silence the ones after it.
            let budget = result.targetFalseAcceptsPerHour.isFinite ? String(format: "%.2f", result.targetFalseAcceptsPerHour) : "lowest"
            let threshold = p.threshold.isFinite ? String(format: "%.4f", p.threshold) : (p.threshold > 0 ? "inf" : "-inf")
            lines.append(
                budget.padding(toLength: 13, withPad: " ", startingAt: 0)
                    + threshold.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(format: "%6.2f%%  %6d  %-3d %-8.3f %12.3f  %6.3f  %6.3f", 100 * p.falseRejectRate, p.misses, p.falseAccepts,
                             p.falseAcceptsPerHour, l.mean, l.median, l.percentile90))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The DET curve as SVG: false-reject rate (%) against false accepts per hour on a log axis (points with no false
    /// accept sit at the axis' left end).
    public func detCurveSVG(title: String = "Keyword detection (DET)") -> String {
        let points = curve.filter { $0.threshold.isFinite }
        return SVGPlot(title: title, xLabel: "false accepts per hour", yLabel: "false reject rate (%)").lines(
            [PlotSeries(name: "all keywords", x: points.map(\.falseAcceptsPerHour), y: points.map { 100 * $0.falseRejectRate })],
            xScale: .logarithmic)
    }

    /// The report as JSON (snake_case keys; infinite thresholds as `"inf"` / `"-inf"`).
    public func json() throws -> Data { try ReportJSON.encoded(self) }

    /// Reads a report written by ``json()``.
    public init(json: Data) throws { self = try ReportJSON.decoded(Self.self, from: json) }
}
