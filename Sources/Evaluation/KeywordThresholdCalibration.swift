import Foundation
import Streaming

/// One keyword's threshold chosen on a labelled validation stream, with what it costs there.
public struct KeywordThresholdCalibration: Sendable, Equatable, Codable {
    /// The keyword (a model label).
    public var keyword: String
    /// The chosen threshold on the smoothed probability, in (0, 1].
    public var threshold: Float
    /// The false-accept budget it was chosen for (per hour).
    public var targetFalseAcceptsPerHour: Double
    /// The operating point at that threshold on the stream (false-reject rate, false accepts per hour).
    public var point: DetectionOperatingPoint
    /// Occurrences of the keyword in the stream.
    public var occurrences: Int
    /// Whether no swept threshold met the budget: the threshold is then the one with the fewest false accepts that
    /// still detects an occurrence (1, as strict as it gets, when none does).
    public var budgetUnmet: Bool
    /// What comes closest to the keyword on the stream: the highest peaks of its smoothed score away from its
    /// occurrences (``HardNegativeMining``'s peaks, at least ``closenessThreshold``, at most ``closestListed``, highest
    /// first): what the model confuses with the keyword, with what was said there when the stream's segments are known
    /// (the detector's trigger count and refractory period may keep some of them from firing); nil in reports written
    /// before this was listed.
    public var closestFalseAccepts: [ListedFalseAccept]?
    /// The lowest smoothed score of a closest false accept listed.
    public static let closenessThreshold: Float = 0.5
    /// Most false accepts listed per keyword.
    public static let closestListed = 3

    /// A calibration from its parts (see the properties).
    public init(keyword: String, threshold: Float, targetFalseAcceptsPerHour: Double, point: DetectionOperatingPoint, occurrences: Int, budgetUnmet: Bool,
                closestFalseAccepts: [ListedFalseAccept]? = nil) {
        self.closestFalseAccepts = closestFalseAccepts
        self.keyword = keyword
        self.threshold = threshold
        self.targetFalseAcceptsPerHour = targetFalseAcceptsPerHour
        self.point = point
        self.occurrences = occurrences
        self.budgetUnmet = budgetUnmet
    }

    /// One line for a report: `"yes": threshold 0.9987; expected FRR 57.1% (32 of 56 missed) at 0.00 FA/h (target 0.20)`,
    /// with a note when no threshold met the budget.
    public var summaryLine: String {
        String(format: "\"%@\": threshold %.4f; expected FRR %.1f%% (%d of %d missed) at %.2f FA/h (target %.2f)%@",
               keyword, threshold, 100 * point.falseRejectRate, point.misses, occurrences, point.falseAcceptsPerHour,
               targetFalseAcceptsPerHour, budgetUnmet ? "; budget not met at any threshold: the fewest false accepts kept" : "")
    }

    /// The lines of a report, indented: ``summaryLine``, and below it the closest false accepts
    /// (`closest false accepts of "yes": 0.9826  filler "yesterday" (en-us); ...`) when there are any.
    public var reportLines: [String] {
        var lines = ["  " + summaryLine]
        if let closest = closestFalseAccepts, !closest.isEmpty {
            lines.append("    closest false accepts of \"\(keyword)\": " + closest.map(\.summary).joined(separator: "; "))
        }
        return lines
    }

    /// Calibrates each watched keyword of `rules` on its own: the detector's rules are replayed with that keyword
    /// alone watched, over a sweep of thresholds, and the threshold with the lowest false-reject rate whose false
    /// accepts (events of that keyword matching no occurrence of it) stay within `targetFalseAcceptsPerHour` is kept.
    /// With a stream of `H` hours the budget allows `floor(target · H)` false accepts: a short stream (10 minutes at
    /// 0.5 FA/h) asks for none.
    /// - Parameters:
    ///   - stream: the recorded scores of the validation stream.
    ///   - occurrences: its labels (other keywords' are ignored for each keyword).
    ///   - rules: the detection rules (smoothing, trigger count, refractory period) and the watched keywords.
    ///   - targetFalseAcceptsPerHour: the budget per keyword.
    ///   - toleranceSeconds: matching tolerance after an occurrence's end (see ``KeywordMetrics``).
    ///   - segments: what the stream said when (its `segments.csv`), to name the closest false accepts; nil: unknown.
    ///   - windowSeconds: the model's window (s): a false accept heard the segment its window overlaps the longest.
    /// - Returns: one calibration per watched keyword, in `rules.keywords` order.
    /// - Throws: ``EvaluationError`` for a negative budget, or a keyword without occurrences in the stream.
    public static func calibrate(
        stream: RecordedKeywordStream, occurrences: [KeywordInterval], rules: DetectionSettings, targetFalseAcceptsPerHour: Double,
        toleranceSeconds: Double = KeywordMetrics.defaultToleranceSeconds, segments: [StreamSegment]? = nil, windowSeconds: Double = 1
    ) throws -> [KeywordThresholdCalibration] {
        var result: [KeywordThresholdCalibration] = []
        for (k, index) in rules.keywords.enumerated() {
            let keyword = stream.labels[index]
            let own = occurrences.filter { $0.keyword == keyword }
            guard !own.isEmpty else { throw EvaluationError.emptyInput(what: "occurrences of '\(keyword)' in the calibration stream") }
            let single = try DetectionSettings(
                keywords: [index], thresholds: [rules.thresholds[k]], smoothingHops: rules.smoothingHops, triggerCount: rules.triggerCount,
                refractoryHops: rules.refractoryHops)
            let report = try KeywordMetrics.evaluateSweep(
                labels: own, sweep: stream.sweep(single), durationSeconds: stream.durationSeconds, toleranceSeconds: toleranceSeconds,
                targets: [targetFalseAcceptsPerHour])
            var point = report.targets[0].point
            let unmet = !point.threshold.isFinite
            if unmet {
                // A false accept as sure as any occurrence (a probability of 1): rather than a threshold of 1, which
                // never fires, the one with the fewest false accepts that still detects, the fewest misses among those.
                let detecting = report.curve.filter { $0.threshold.isFinite && $0.hits > 0 }
                if let best = detecting.min(by: { ($0.falseAccepts, $0.misses) < ($1.falseAccepts, $1.misses) }) { point = best }
            }
            let peaks = HardNegativeMining(threshold: closenessThreshold, maximumPeaks: closestListed, neighbourHops: 0, smoothingHops: rules.smoothingHops)
            let closest = peaks.windows(in: stream, keywords: [index], labels: own).map {
                ListedFalseAccept(timeSeconds: $0.peakSeconds, keyword: keyword, score: Double($0.score), heardIn: segments, windowSeconds: windowSeconds)
            }
            result.append(KeywordThresholdCalibration(
                keyword: keyword, threshold: point.threshold.isFinite ? Float(min(1, point.threshold)) : 1,
                targetFalseAcceptsPerHour: targetFalseAcceptsPerHour, point: point, occurrences: own.count, budgetUnmet: unmet,
                closestFalseAccepts: closest))
        }
        return result
    }
}
