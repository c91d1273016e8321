import Streaming

/// A stream's keyword scores recorded once (every hop of every talker), so that the detector's rules can be replayed
/// at any thresholds: each replay gives exactly the events `sepkws detect` would print with those rules
/// (``KeywordTrigger`` is deterministic and sees nothing but these scores).
///
/// ```swift
/// let detector = try KeywordDetector(spotter: spotter, hop: 1280, settings: settings)
/// var hops: [[KeywordHopScores]] = []
/// detector.onHop = { hops.append($0) }
/// // ... push the stream ...
/// let recorded = RecordedKeywordStream(hops: hops, labels: spotter.configuration.labels, sampleRate: 16_000, durationSeconds: 600)
/// let events = recorded.events(settings.withThreshold(0.9))
/// ```
public struct RecordedKeywordStream: Sendable {
    /// `[hops][talkers]` scores, in stream order.
    public var hops: [[KeywordHopScores]]
    /// The model's labels (class-index order).
    public var labels: [String]
    /// The stream's rate (Hz).
    public var sampleRate: Int
    /// The stream's length (s).
    public var durationSeconds: Double

    /// A recording from its parts (see the properties).
    public init(hops: [[KeywordHopScores]], labels: [String], sampleRate: Int, durationSeconds: Double) {
        self.hops = hops
        self.labels = labels
        self.sampleRate = sampleRate
        self.durationSeconds = durationSeconds
    }

    /// Talkers per hop (1 without separation).
    public var talkers: Int { hops.first?.count ?? 1 }

    /// The events the detector fires with `rules`, timed at the end of the window that fired.
    public func events(_ rules: DetectionSettings) -> [DetectionEvent] {
        let trigger = KeywordTrigger(settings: rules, labels: labels, talkers: talkers)
        let rate = Double(sampleRate)
        return hops.flatMap { trigger.process($0) }.map {
            DetectionEvent(timeSeconds: Double($0.endSample) / rate, keyword: $0.keyword, score: Double($0.score))
        }
    }

    /// Each hop's highest probability among the classes `keywords` (any talker), `[hops]`.
    public func hopScores(keywords: [Int]) -> [Float] {
        hops.map { hop in hop.flatMap { s in keywords.map { s.probabilities[$0] } }.max() ?? 0 }
    }

    /// Thresholds of a sweep: a fixed grid (0.01 ... 0.99) and, where the stream's scores actually lie near the
    /// top, 300 more at evenly spaced ranks of the highest 20% of hop scores, so that the low false-accept end of the
    /// curve is resolved whatever range a model's top scores occupy.
    /// - Parameter hopScores: each hop's highest watched-keyword probability (``hopScores(keywords:)``).
    /// - Returns: distinct thresholds in (0, 1], ascending.
    public static func sweep(hopScores: [Float]) -> [Float] {
        var thresholds = Set((1...99).map { Float($0) / 100 })
        let top = hopScores.sorted(by: >).prefix(max(1, hopScores.count / 5))
        if !top.isEmpty {
            let ranked = Array(top)
            for i in 0..<300 { thresholds.insert(ranked[i * (ranked.count - 1) / 299]) }
        }
        return thresholds.filter { $0 > 0 && $0 <= 1 }.sorted()
    }

    /// The sweep of `rules` over ``sweep(hopScores:)`` of its keywords: (threshold, events) per threshold, the input
    /// of ``KeywordMetrics/evaluateSweep(labels:sweep:durationSeconds:toleranceSeconds:targets:)``.
    public func sweep(_ rules: DetectionSettings) -> [(threshold: Double, events: [DetectionEvent])] {
        Self.sweep(hopScores: hopScores(keywords: rules.keywords)).map { (threshold: Double($0), events: events(rules.withThreshold($0))) }
    }
}
