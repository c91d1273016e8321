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
        #expect(result.labelCount == 3 && result.byCondition.map(\.name) == ["clean", "noisy"])
        #expect(result.byCondition.map(\.missedAtSettings) == [0, 1])
        let text = result.text(thresholdDescription: "0.9")
        #expect(text.contains("at --threshold 0.9: FRR 33.33% (1 of 3 missed), 0 false accepts"))
        #expect(text.contains("false rejects by condition:") && text.contains("  clean       2 labels"))
        #expect(result.scoresTable().rows.count == 100)
        #expect(result.byKeyword.isEmpty && result.byEngine.isEmpty && result.byVoice.isEmpty)   // one keyword, no engine or voice column
    }

    /// With two keywords and an engine and a voice per label, the misses are also split by keyword, by engine family
    /// and by voice.
    @Test func falseRejectsAreSplitByKeywordEngineAndVoice() throws {
        let hops = (0..<100).map { h -> [KeywordHopScores] in
            let yes: Float = h == 20 ? 0.95 : 0.02, no: Float = h == 60 ? 0.95 : 0.02
            return [KeywordHopScores(window: h, endSample: (h + 1) * 1_000, probabilities: [yes, no, 1 - yes - no])]
        }
        let recorded = RecordedKeywordStream(hops: hops, labels: ["yes", "no", "_unknown_"], sampleRate: 10_000, durationSeconds: 10)
        let labels = [KeywordInterval(keyword: "yes", startSeconds: 1.8, endSeconds: 2.0),   // hit
                      KeywordInterval(keyword: "no", startSeconds: 4.0, endSeconds: 4.2),    // missed
                      KeywordInterval(keyword: "no", startSeconds: 5.9, endSeconds: 6.0),    // hit
                      KeywordInterval(keyword: "yes", startSeconds: 8.0, endSeconds: 8.2)]   // missed
        let evaluator = StreamingDetectionEvaluator(labels: labels, engines: ["pico", "festival", "pico", "pico"],
                                                    voices: ["de-DE", "rab", "fr-FR", "fr-FR"], toleranceSeconds: 0.5, targets: [0])
        let settings = try DetectionSettings(keywords: [0, 1], thresholds: [0.9, 0.9], smoothingHops: 1, triggerCount: 1, refractoryHops: 5)
        let result = try evaluator.evaluate(recorded, settings: settings)
        #expect(result.byCondition.isEmpty)
        #expect(result.byKeyword.map(\.name) == ["no", "yes"] && result.byKeyword.map(\.missedAtSettings) == [0.5, 0.5])
        #expect(result.byEngine.map(\.name) == ["festival", "pico"] && result.byEngine.map(\.labels) == [1, 3])
        #expect(result.byEngine.map(\.missedAtSettings) == [1, 1.0 / 3])
        // At no false accept the sweep's threshold sits above the 0.02 floor: the same misses.
        #expect(result.byEngine.map(\.missedAtTargets) == [[1], [1.0 / 3]])
        #expect(result.byVoice.map(\.name) == ["de-DE", "fr-FR", "rab"] && result.byVoice.map(\.labels) == [1, 2, 1])
        #expect(result.byVoice.map(\.missedAtSettings) == [0, 0.5, 1])
        let text = result.text(thresholdDescription: "0.9")
        #expect(text.contains("false rejects by keyword:") && text.contains("false rejects by engine:") && text.contains("  festival    1 labels"))
        #expect(text.contains("false rejects by voice:") && text.contains("  fr-FR       2 labels"))
    }

    @Test func labelsOfUnwatchedKeywordsAreLeftOutAndNoneWatchedIsAnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sepkws-sde-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = (dir as NSString).appendingPathComponent("labels.csv")
        try "keyword,start_s,end_s,condition,engine,voice\nyes,1,1.5,clean,pico,de-DE\nno,2,2.5,noisy,festival,rab\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let kept = try StreamingDetectionEvaluator.labels(csv: csv, watched: ["yes"])
        #expect(kept.intervals.map(\.keyword) == ["yes"] && kept.conditions == ["clean"] && kept.engines == ["pico"] && kept.voices == ["de-DE"])
        #expect(throws: EvaluationError.self) { try StreamingDetectionEvaluator.labels(csv: csv, watched: ["stop"]) }
        #expect(throws: EvaluationError.self) { try StreamingDetectionEvaluator.audio(besideLabels: csv) }
    }

    /// The false accepts at the largest budget are listed highest score first, each with the segment of the stream's
    /// `segments.csv` that its window overlaps the longest.
    @Test func falseAcceptsAreListedWithWhatTheStreamSaidThere() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sepkws-sde-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let labelsFile = (dir as NSString).appendingPathComponent("labels.csv")
        #expect(try StreamSegment.load(besideLabels: labelsFile) == nil)
        try """
            start_s,end_s,kind,text,engine,voice
            1.5,2.0,filler,yes sir,festival,rab
            5.5,6.0,sentence,the children said yes,festival,don
            7.9,8.1,keyword,yes,festival,rab
            """.write(toFile: (dir as NSString).appendingPathComponent("segments.csv"), atomically: true, encoding: .utf8)
        let segments = try #require(try StreamSegment.load(besideLabels: labelsFile))
        #expect(segments.count == 3 && segments[0] == StreamSegment(startSeconds: 1.5, endSeconds: 2, kind: "filler", text: "yes sir", voice: "rab"))
        // One labelled "yes" (hop 80, scored 0.6): found only at a threshold that lets the false peaks at hops 20 and 60
        // (0.95 each, t = 2.1 and 6.1 s) through.
        let evaluator = StreamingDetectionEvaluator(labels: [KeywordInterval(keyword: "yes", startSeconds: 7.9, endSeconds: 8.1)],
                                                    toleranceSeconds: 0.5, targets: [1_000, 0], segments: segments, windowSeconds: 1)
        let settings = try DetectionSettings(keywords: [0], thresholds: [0.9], smoothingHops: 1, triggerCount: 1, refractoryHops: 5)
        let result = try evaluator.evaluate(Self.recorded(), settings: settings)
        #expect(result.falseAcceptsBudget == 1_000)
        #expect(result.falseAccepts.map(\.timeSeconds) == [2.1, 6.1] && result.falseAccepts.map(\.keyword) == ["yes", "yes"])
        #expect(result.falseAccepts.allSatisfy { abs($0.score - 0.95) < 1e-6 })
        #expect(result.falseAccepts.map { $0.segment?.text } == ["yes sir", "the children said yes"])
        let text = result.text(thresholdDescription: "0.9")
        #expect(text.contains("false accepts at 1000.00 FA/h, highest score first:"))
        #expect(text.contains("2.10 s  yes  0.9500  filler \"yes sir\" (rab)"), "\(text)")
        // A segments.csv of another tool (without these columns) is not read; one with a time that is not a number names the file.
        let segmentsFile = (dir as NSString).appendingPathComponent("segments.csv")
        try "start,end,speaker\n1,2,A\n".write(toFile: segmentsFile, atomically: true, encoding: .utf8)
        #expect(try StreamSegment.load(besideLabels: labelsFile) == nil)
        try "start_s,end_s,kind,text\n1,two,filler,yes\n".write(toFile: segmentsFile, atomically: true, encoding: .utf8)
        #expect(throws: EvaluationError.malformedInput(path: segmentsFile, line: 2, reason: "start_s and end_s must be numbers")) {
            try StreamSegment.load(besideLabels: labelsFile)
        }
    }
}
