import Evaluation
import Foundation
import Streaming
import Testing

/// Thresholds chosen on a recorded stream for a false-accept budget, and what happens when no threshold meets it.
@Suite struct KeywordThresholdCalibrationTests {
    /// 100 hops of 0.1 s; "yes" peaks at hops 20 (1.0) and 60 (0.97), both occurrences, and at hop 80 (`falsePeak`),
    /// where nothing was said.
    static func recorded(falsePeak: Float) -> RecordedKeywordStream {
        let hops = (0..<100).map { h -> [KeywordHopScores] in
            let yes: Float = h == 20 ? 1 : h == 60 ? 0.97 : h == 80 ? falsePeak : 0.02
            return [KeywordHopScores(window: h, endSample: (h + 1) * 1_000, probabilities: [yes, 1 - yes])]
        }
        return RecordedKeywordStream(hops: hops, labels: ["yes", "_unknown_"], sampleRate: 10_000, durationSeconds: 10)
    }

    static let occurrences = [KeywordInterval(keyword: "yes", startSeconds: 1.8, endSeconds: 2.0),
                              KeywordInterval(keyword: "yes", startSeconds: 5.9, endSeconds: 6.0)]

    @Test func theLowestThresholdWithinTheBudgetIsKept() throws {
        let rules = try DetectionSettings(keywords: [0], thresholds: [0.5], smoothingHops: 1, triggerCount: 1, refractoryHops: 5)
        let chosen = try KeywordThresholdCalibration.calibrate(
            stream: Self.recorded(falsePeak: 0.9), occurrences: Self.occurrences, rules: rules, targetFalseAcceptsPerHour: 0.5,
            toleranceSeconds: 0.5)
        #expect(chosen.count == 1 && !chosen[0].budgetUnmet)
        #expect(chosen[0].threshold > 0.9 && chosen[0].threshold <= 0.97 && chosen[0].point.misses == 0 && chosen[0].point.falseAccepts == 0)
    }

    /// A false accept as sure as an occurrence (probability 1, as a model trained without label smoothing gives):
    /// no threshold meets the budget, and the one kept still detects, with the fewest false accepts and misses.
    @Test func anUnmetBudgetKeepsADetectingThreshold() throws {
        let rules = try DetectionSettings(keywords: [0], thresholds: [0.5], smoothingHops: 1, triggerCount: 1, refractoryHops: 5)
        let chosen = try KeywordThresholdCalibration.calibrate(
            stream: Self.recorded(falsePeak: 1), occurrences: Self.occurrences, rules: rules, targetFalseAcceptsPerHour: 0.5,
            toleranceSeconds: 0.5)
        #expect(chosen[0].budgetUnmet)
        #expect(chosen[0].threshold > 0.02 && chosen[0].threshold <= 0.97, "\(chosen[0].threshold)")
        #expect(chosen[0].point.falseAccepts == 1 && chosen[0].point.misses == 0)
        #expect(chosen[0].summaryLine.contains("budget not met"))
    }

    /// Each calibration names what comes closest to its keyword: the false peak (0.9 at hop 80, t = 8.1 s) with the
    /// segment its window heard, not the occurrences; the report shows it under the threshold's line and the JSON keeps it.
    @Test func theClosestFalseAcceptsAreNamed() throws {
        let rules = try DetectionSettings(keywords: [0], thresholds: [0.5], smoothingHops: 1, triggerCount: 1, refractoryHops: 5)
        let segments = [StreamSegment(startSeconds: 1.8, endSeconds: 2.0, kind: "keyword", text: "yes", voice: "mb-us2"),
                        StreamSegment(startSeconds: 7.4, endSeconds: 8.0, kind: "filler", text: "yesterday", voice: "en-gb")]
        let chosen = try KeywordThresholdCalibration.calibrate(
            stream: Self.recorded(falsePeak: 0.9), occurrences: Self.occurrences, rules: rules, targetFalseAcceptsPerHour: 0.5,
            toleranceSeconds: 0.5, segments: segments, windowSeconds: 1)
        let closest = try #require(chosen[0].closestFalseAccepts)
        #expect(closest.count == 1 && closest[0].timeSeconds == 8.1 && abs(closest[0].score - 0.9) < 1e-6 && closest[0].segment == segments[1])
        #expect(chosen[0].reportLines.count == 2 && chosen[0].reportLines[1] == "    closest false accepts of \"yes\": 0.9000  filler \"yesterday\" (en-gb)")
        let decoded = try JSONDecoder().decode([KeywordThresholdCalibration].self, from: try JSONEncoder().encode(chosen))
        #expect(decoded == chosen)
        // Below 0.5 nothing is listed: a quiet stream gives the threshold's line alone.
        let quiet = try KeywordThresholdCalibration.calibrate(
            stream: Self.recorded(falsePeak: 0.3), occurrences: Self.occurrences, rules: rules, targetFalseAcceptsPerHour: 0.5,
            toleranceSeconds: 0.5, segments: segments, windowSeconds: 1)
        #expect(quiet[0].closestFalseAccepts == [] && quiet[0].reportLines.count == 1)
    }
}
