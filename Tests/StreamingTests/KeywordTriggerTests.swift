import Streaming
import Testing

@Suite struct KeywordTriggerTests {
    static let labels = ["yes", "no", "_unknown_"]

    /// Replays per-hop probabilities of `yes` and `no` (one talker) and returns the hops that fired, with keywords.
    static func fire(_ yes: [Float], _ no: [Float]? = nil, settings: DetectionSettings) -> [(hop: Int, keyword: String, score: Float)] {
        let trigger = KeywordTrigger(settings: settings, labels: labels)
        let no = no ?? [Float](repeating: 0, count: yes.count)
        var fired: [(Int, String, Float)] = []
        for h in yes.indices {
            let hop = KeywordHopScores(window: h, endSample: 1_280 * h + 16_000, probabilities: [yes[h], no[h], 1 - yes[h] - no[h]])
            for e in trigger.process([hop]) {
                #expect(e.endSample == 1_280 * h + 16_000 && e.talker == 0)
                fired.append((h, e.keyword, e.score))
            }
        }
        return fired
    }

    static func settings(threshold: Float = 0.5, smoothing: Int = 1, count: Int = 1, refractory: Int = 0) throws -> DetectionSettings {
        try DetectionSettings(keywords: [0, 1], thresholds: [threshold, threshold], smoothingHops: smoothing, triggerCount: count, refractoryHops: refractory)
    }

    @Test func aLongKeywordFiresOnceAndReArmsAfterDropping() throws {
        let yes: [Float] = [0, 0.9, 0.9, 0.9, 0.9, 0.1, 0.8, 0]
        let fired = Self.fire(yes, settings: try Self.settings())
        #expect(fired.map(\.hop) == [1, 6])
        #expect(fired.allSatisfy { $0.keyword == "yes" })
    }

    @Test func smoothingAveragesTheLastHops() throws {
        // Means over 3 hops: 0.2, 0.4, 0.6 (fires at hop 2 with score 0.6), ...
        let fired = Self.fire([0.2, 0.6, 1.0, 0, 0, 0], settings: try Self.settings(smoothing: 3))
        #expect(fired.map(\.hop) == [2])
        #expect(abs(fired[0].score - 0.6) < 1e-6)
        // A single spike is smoothed away.
        #expect(Self.fire([0, 0, 1.0, 0, 0], settings: try Self.settings(smoothing: 3)).isEmpty)
    }

    @Test func triggerCountNeedsConsecutiveHops() throws {
        let s = try Self.settings(count: 3)
        #expect(Self.fire([0.9, 0.9, 0.1, 0.9, 0.9, 0.1], settings: s).isEmpty)
        #expect(Self.fire([0.9, 0.9, 0.9, 0.9], settings: s).map(\.hop) == [2])
    }

    @Test func refractoryPeriodHoldsEveryKeywordBackUntilItEnds() throws {
        let yes: [Float] = [0.9, 0, 0, 0, 0, 0, 0, 0, 0.9]
        let no: [Float] = [0, 0.9, 0.9, 0.9, 0.9, 0.9, 0, 0, 0]
        // "no" rises during the 3-hop refractory period after "yes": it fires when the period ends, once.
        #expect(Self.fire(yes, no, settings: try Self.settings(refractory: 3)).map { "\($0.hop)\($0.keyword)" } == ["0yes", "4no", "8yes"])
        // A keyword that drops before the period ends never fires.
        let brief: [Float] = [0, 0.9, 0.9, 0, 0, 0, 0, 0, 0]
        #expect(Self.fire(yes, brief, settings: try Self.settings(refractory: 3)).map(\.hop) == [0, 8])
        #expect(Self.fire(yes, brief, settings: try Self.settings(refractory: 0)).map { "\($0.hop)\($0.keyword)" } == ["0yes", "1no", "8yes"])
    }

    @Test func bestTriggerOfAHopWinsAndThresholdsArePerKeyword() throws {
        let both = try DetectionSettings(keywords: [0, 1], thresholds: [0.3, 0.6], smoothingHops: 1, triggerCount: 1, refractoryHops: 0)
        #expect(Self.fire([0.45], [0.5], settings: both).map(\.keyword) == ["yes"])  // "no" is under its own threshold
        #expect(Self.fire([0.35], [0.62], settings: both).map(\.keyword) == ["no"])
    }

    @Test func impossibleSettingsAreRejected() {
        #expect(throws: StreamingError.self) { try DetectionSettings(keywords: [], thresholds: [], smoothingHops: 1, triggerCount: 1, refractoryHops: 0) }
        #expect(throws: StreamingError.self) { try DetectionSettings(keywords: [0], thresholds: [1.5], smoothingHops: 1, triggerCount: 1, refractoryHops: 0) }
        #expect(throws: StreamingError.self) { try DetectionSettings(keywords: [0], thresholds: [0.5], smoothingHops: 0, triggerCount: 1, refractoryHops: 0) }
        #expect(DetectionSettings.hops(milliseconds: 1_000, hop: 1_280, sampleRate: 16_000) == 13)
    }
}
