/// Keyword-spotting metrics: clip classification (accuracy, confusion) and streaming detection over a long labelled
/// stream (false rejects at fixed false accepts per hour, latency, DET curve).
///
/// **Matching rule.** An event matches a label of the same keyword if its time lies in
/// `[start, end + tolerance]` (tolerance 0.5 s by default). Events are taken in time order, and each takes the
/// earliest-starting label it can match that no earlier event took, so each label is matched at most once. Events
/// that match no label, including repeated triggers on one label, are false accepts; labels left unmatched are
/// false rejects.
///
/// ```swift
/// let report = try KeywordMetrics.evaluateStream(labels: labels, events: events, durationSeconds: 3600)
/// print(report.textTable())       // FRR at 0.1, 0.5 and 1 FA/h, latencies
/// ```
public enum KeywordMetrics {
    /// How long after a label's end an event still matches it (s).
    public static let defaultToleranceSeconds = 0.5
    /// The false-accept budgets reported by default (per hour).
    public static let defaultTargets = [0.1, 0.5, 1.0]
    /// The most thresholds a sweep tries; with more distinct scores, evenly spaced ones (by rank) are used.
    public static let maximumThresholds = 2_000

    /// The share of `predictions` equal to `truth` (`[n]` class indices each), in `0...1`.
    /// - Throws: ``EvaluationError/emptyInput(what:)`` for no examples, ``EvaluationError/lengthMismatch(item:what:expected:actual:)``.
    public static func accuracy(truth: [Int], predictions: [Int]) throws(EvaluationError) -> Double {
        guard !truth.isEmpty else { throw .emptyInput(what: "examples") }
        guard truth.count == predictions.count else {
            throw .lengthMismatch(item: "accuracy", what: "the predictions", expected: truth.count, actual: predictions.count)
        }
        return Double(zip(truth, predictions).count { $0 == $1 }) / Double(truth.count)
    }

    /// Matches `events` with score `>= threshold` to `labels` by the rule above.
    /// - Parameters:
    ///   - labels: ground-truth keyword intervals `[L]`, any order.
    ///   - events: detections `[E]`, any order.
    ///   - threshold: the lowest score that counts.
    ///   - toleranceSeconds: how long after a label's end an event may fire.
    /// - Returns: the label-to-event matching (indices into the arguments).
    public static func match(
        labels: [KeywordInterval], events: [DetectionEvent], threshold: Double = -.infinity,
        toleranceSeconds: Double = defaultToleranceSeconds
    ) -> DetectionMatching {
        Matcher(labels: labels, events: events, toleranceSeconds: toleranceSeconds).match(threshold: threshold)
    }

    /// The detection outcome at every distinct event score as threshold, from `+infinity` (nothing accepted) down to
    /// the lowest score: the DET curve's points.
    /// - Parameters:
    ///   - labels: `[L]` keyword intervals, at least one.
    ///   - events: `[E]` detections.
    ///   - durationSeconds: the stream's length (s), for false accepts per hour.
    ///   - toleranceSeconds: see the matching rule.
    /// - Returns: operating points by decreasing threshold (at most ``maximumThresholds`` + 1).
    /// - Throws: ``EvaluationError`` for no labels, a non-positive duration, a negative tolerance, or a non-finite
    ///   event time or score.
    public static func detectionCurve(
        labels: [KeywordInterval], events: [DetectionEvent], durationSeconds: Double,
        toleranceSeconds: Double = defaultToleranceSeconds
    ) throws(EvaluationError) -> [DetectionOperatingPoint] {
        try validate(labels: labels, events: events, durationSeconds: durationSeconds, toleranceSeconds: toleranceSeconds)
        let matcher = Matcher(labels: labels, events: events, toleranceSeconds: toleranceSeconds)
        return thresholds(events).map { point(matcher.match(threshold: $0), threshold: $0, durationSeconds: durationSeconds) }
    }

    /// The full streaming evaluation: the DET curve, the best operating point at each false-accept budget with its
    /// latencies, and the outcome when every event counts.
    /// - Parameters:
    ///   - labels: `[L]` keyword intervals, at least one.
    ///   - events: `[E]` detections.
    ///   - durationSeconds: the stream's length (s).
    ///   - toleranceSeconds: see the matching rule.
    ///   - targets: false accepts per hour to report the false-reject rate at.
    /// - Returns: the report (Codable; text table and DET plot).
    /// - Throws: as ``detectionCurve(labels:events:durationSeconds:toleranceSeconds:)``, and for a negative target.
    public static func evaluateStream(
        labels: [KeywordInterval], events: [DetectionEvent], durationSeconds: Double,
        toleranceSeconds: Double = defaultToleranceSeconds, targets: [Double] = defaultTargets
    ) throws(EvaluationError) -> StreamingDetectionReport {
        try validate(targets: targets)
        try validate(labels: labels, events: events, durationSeconds: durationSeconds, toleranceSeconds: toleranceSeconds)
        let matcher = Matcher(labels: labels, events: events, toleranceSeconds: toleranceSeconds)
        return report(
            labels: labels, outcomes: thresholds(events).map { ($0, matcher.match(threshold: $0)) },
            all: (-.infinity, matcher.match(threshold: -.infinity)), eventCount: events.count,
            durationSeconds: durationSeconds, toleranceSeconds: toleranceSeconds, targets: targets)
    }

    /// The streaming evaluation of a detector run once per threshold: each entry holds the events the detector
    /// produced at that threshold (a detector with smoothing, trigger counts and a refractory period does not produce
    /// a subset of its low-threshold events at a higher threshold, so such sweeps cannot be made by filtering scores).
    /// - Parameters:
    ///   - labels: `[L]` keyword intervals, at least one.
    ///   - sweep: `[S]` (threshold, events at that threshold), any order; every event of an entry counts.
    ///   - durationSeconds: the stream's length (s).
    ///   - toleranceSeconds: see the matching rule.
    ///   - targets: false accepts per hour to report the false-reject rate at.
    /// - Returns: the report; its curve starts at `+infinity` (nothing accepted) and follows the sweep by decreasing
    ///   threshold, and "all events" is the lowest threshold's outcome.
    /// - Throws: as ``evaluateStream(labels:events:durationSeconds:toleranceSeconds:targets:)``, and for an empty sweep.
    public static func evaluateSweep(
        labels: [KeywordInterval], sweep: [(threshold: Double, events: [DetectionEvent])], durationSeconds: Double,
        toleranceSeconds: Double = defaultToleranceSeconds, targets: [Double] = defaultTargets
    ) throws(EvaluationError) -> StreamingDetectionReport {
        try validate(targets: targets)
        guard !sweep.isEmpty else { throw .emptyInput(what: "thresholds") }
        let ordered = sweep.sorted { $0.threshold > $1.threshold }
        var outcomes: [(Double, DetectionMatching)] = []
        if ordered[0].threshold < .infinity {
            outcomes.append((.infinity, Matcher(labels: labels, events: [], toleranceSeconds: toleranceSeconds).match(threshold: -.infinity)))
        }
        for entry in ordered {
            try validate(labels: labels, events: entry.events, durationSeconds: durationSeconds, toleranceSeconds: toleranceSeconds)
            outcomes.append((entry.threshold, Matcher(labels: labels, events: entry.events, toleranceSeconds: toleranceSeconds).match(threshold: -.infinity)))
        }
        return report(
            labels: labels, outcomes: outcomes, all: outcomes[outcomes.count - 1], eventCount: ordered[ordered.count - 1].events.count,
            durationSeconds: durationSeconds, toleranceSeconds: toleranceSeconds, targets: targets)
    }

    /// Builds the report from the matching at each threshold (by decreasing threshold, the first at `+infinity`).
    private static func report(
        labels: [KeywordInterval], outcomes: [(Double, DetectionMatching)], all: (Double, DetectionMatching), eventCount: Int,
        durationSeconds: Double, toleranceSeconds: Double, targets: [Double]
    ) -> StreamingDetectionReport {
        let curve = outcomes.map { point($0.1, threshold: $0.0, durationSeconds: durationSeconds) }
        let results = targets.map { target in
            var best = 0  // the +infinity threshold always meets a budget
            for (i, p) in curve.enumerated() where p.falseAcceptsPerHour <= target * (1 + 1e-12) && p.falseRejectRate < curve[best].falseRejectRate {
                best = i
            }
            return DetectionTargetResult(targetFalseAcceptsPerHour: target, point: curve[best], latency: LatencySummary(outcomes[best].1.latencies))
        }
        return StreamingDetectionReport(
            durationSeconds: durationSeconds, labelCount: labels.count, eventCount: eventCount,
            toleranceSeconds: toleranceSeconds, targets: results,
            allEvents: DetectionTargetResult(
                targetFalseAcceptsPerHour: .infinity, point: point(all.1, threshold: all.0, durationSeconds: durationSeconds),
                latency: LatencySummary(all.1.latencies)),
            curve: curve)
    }

    private static func validate(targets: [Double]) throws(EvaluationError) {
        for target in targets where !(target >= 0 && target.isFinite) {
            throw .invalidParameter(name: "false accepts per hour", value: "\(target)", reason: "must be a finite number >= 0")
        }
    }

    private static func validate(
        labels: [KeywordInterval], events: [DetectionEvent], durationSeconds: Double, toleranceSeconds: Double
    ) throws(EvaluationError) {
        guard !labels.isEmpty else { throw .emptyInput(what: "keyword labels") }
        guard durationSeconds > 0, durationSeconds.isFinite else {
            throw .invalidParameter(name: "stream duration", value: "\(durationSeconds)", reason: "must be a positive number of seconds")
        }
        guard toleranceSeconds >= 0, toleranceSeconds.isFinite else {
            throw .invalidParameter(name: "tolerance", value: "\(toleranceSeconds)", reason: "must be a finite number of seconds >= 0")
        }
        for (i, event) in events.enumerated() where !(event.timeSeconds.isFinite && event.score.isFinite) {
            throw .invalidParameter(name: "event \(i + 1)", value: "\(event.timeSeconds) s, score \(event.score)", reason: "time and score must be finite")
        }
    }

    /// `+infinity`, then the distinct scores in decreasing order (thinned by rank to ``maximumThresholds``).
    private static func thresholds(_ events: [DetectionEvent]) -> [Double] {
        var scores = Array(Set(events.map(\.score))).sorted(by: >)
        if scores.count > maximumThresholds {
            let last = scores.count - 1
            scores = (0..<maximumThresholds).map { scores[($0 * last) / (maximumThresholds - 1)] }
        }
        return [.infinity] + scores
    }

    private static func point(_ matching: DetectionMatching, threshold: Double, durationSeconds: Double) -> DetectionOperatingPoint {
        let labels = matching.eventForLabel.count
        return DetectionOperatingPoint(
            threshold: threshold, hits: matching.hits, misses: matching.misses, falseAccepts: matching.falseAcceptEvents.count,
            falseRejectRate: Double(matching.misses) / Double(labels),
            falseAcceptsPerHour: Double(matching.falseAcceptEvents.count) / (durationSeconds / 3600))
    }

    /// The matching rule, with labels and events sorted once for repeated thresholds.
    private struct Matcher {
        let labels: [KeywordInterval], events: [DetectionEvent], toleranceSeconds: Double
        /// Event indices by time; per keyword, label indices by start.
        let eventOrder: [Int]
        let labelsByKeyword: [String: [Int]]

        init(labels: [KeywordInterval], events: [DetectionEvent], toleranceSeconds: Double) {
            self.labels = labels
            self.events = events
            self.toleranceSeconds = toleranceSeconds
            eventOrder = events.indices.sorted { (events[$0].timeSeconds, $0) < (events[$1].timeSeconds, $1) }
            labelsByKeyword = Dictionary(grouping: labels.indices, by: { labels[$0].keyword })
                .mapValues { $0.sorted { (labels[$0].startSeconds, $0) < (labels[$1].startSeconds, $1) } }
        }

        func match(threshold: Double) -> DetectionMatching {
            var eventForLabel = [Int?](repeating: nil, count: labels.count)
            var falseAccepts: [Int] = []
            var firstOpen: [String: Int] = [:]  // per keyword: labels before this position have closed windows
            for e in eventOrder where events[e].score >= threshold {
                let t = events[e].timeSeconds
                guard let candidates = labelsByKeyword[events[e].keyword] else { falseAccepts.append(e); continue }
                var p = firstOpen[events[e].keyword, default: 0]
                while p < candidates.count, labels[candidates[p]].endSeconds + toleranceSeconds < t { p += 1 }
                firstOpen[events[e].keyword] = p
                var matched = false
                var q = p
                while q < candidates.count, labels[candidates[q]].startSeconds <= t {
                    let l = candidates[q]
                    if eventForLabel[l] == nil, t <= labels[l].endSeconds + toleranceSeconds {
                        eventForLabel[l] = e
                        matched = true
                        break
                    }
                    q += 1
                }
                if !matched { falseAccepts.append(e) }
            }
            let latencies = labels.indices.compactMap { l in eventForLabel[l].map { events[$0].timeSeconds - labels[l].endSeconds } }
            return DetectionMatching(eventForLabel: eventForLabel, falseAcceptEvents: falseAccepts, latencies: latencies)
        }
    }
}
