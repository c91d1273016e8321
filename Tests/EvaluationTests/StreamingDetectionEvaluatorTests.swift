import Evaluation
import Foundation
import Streaming
import Testing

/// A recorded stream replayed at the detector's rules and over a sweep: misses, false accepts, conditions, text.
@Suite struct StreamingDetectionEvaluatorTests {
    /// 100 hops of 0.1 s at 10 Hz "samples"; class 0 ("yes") peaks at hops 20 and 60, class 1 is filler.
    static func recorded() -> RecordedKeywordStream {
        let hops = (0..<100).map { h -> [KeywordHopScores] in
            let yes: Float = (h == 20 || h == 60) ? 0.95 : (h == 80 ? 0.6 : 0.02)
            return [KeywordHopScores(window: h, endSample: (h + 1) * 1_000, probabilities: [yes, 1 - yes])]
        }
        return RecordedKeywordStream(hops: hops, labels: ["yes", "_unknown_"], sampleRate: 10_000, durationSeconds: 10)
    }

    @Test func theDetectorsOwnRulesAndTheConditionsAreReported() throws {
        let labels = [KeywordInterval(keyword: "yes", startSeconds: 1.8, endSeconds: 2.0),
                      KeywordInterval(keyword: "yes", startSeconds: 4.0, endSeconds: 4.2),
                      KeywordInterval(keyword: "yes", startSeconds: 5.9, endSeconds: 6.0)]
        let evaluator = StreamingDetectionEvaluator(labels: labels, conditions: ["clean", "noisy", "clean"], toleranceSeconds: 0.5)
        let settings = try DetectionSettings(keywords: [0], thresholds: [0.9], smoothingHops: 1, triggerCount: 1, refractoryHops: 5)
        let result = try evaluator.evaluate(Self.recorded(), settings: settings)
        #expect(result.chosen.misses == 1 && result.chosen.falseAcceptEvents.isEmpty)
        #expect(result.labelCount == 3 && result.byCondition.map(\.condition) == ["clean", "noisy"])
        #expect(result.byCondition.map(\.missedAtSettings) == [0, 1])
        let text = result.text(thresholdDescription: "0.9")
        #expect(text.contains("at --threshold 0.9: FRR 33.33% (1 of 3 missed), 0 false accepts"))
        #expect(text.contains("false rejects by condition:") && text.contains("  clean       2 labels"))
        #expect(result.scoresTable().rows.count == 100)
    }

    @Test func labelsOfUnwatchedKeywordsAreLeftOutAndNoneWatchedIsAnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sepkws-sde-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = (dir as NSString).appendingPathComponent("labels.csv")
        try "keyword,start_s,end_s,condition\nyes,1,1.5,clean\nno,2,2.5,noisy\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let kept = try StreamingDetectionEvaluator.labels(csv: csv, watched: ["yes"])
        #expect(kept.intervals.map(\.keyword) == ["yes"] && kept.conditions == ["clean"])
        #expect(throws: EvaluationError.self) { try StreamingDetectionEvaluator.labels(csv: csv, watched: ["stop"]) }
        #expect(throws: EvaluationError.self) { try StreamingDetectionEvaluator.audio(besideLabels: csv) }
    }
}
