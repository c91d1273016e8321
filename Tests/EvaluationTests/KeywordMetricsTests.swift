import Evaluation
import Foundation
import Testing
import TestSupport

@Suite struct KeywordMetricsTests {
    @Test func confusionMatrixCountsAndPrints() throws {
        let matrix = try ConfusionMatrix(labels: ["yes", "no", "_silence_"], truth: [0, 0, 0, 1, 1, 2], predictions: [0, 0, 1, 1, 2, 2])
        #expect(matrix.counts == [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
        #expect(matrix.total == 6 && matrix.correct == 4)
        #expect(matrix.accuracy == 4.0 / 6.0)
        #expect(matrix.perClassAccuracy == [2.0 / 3.0, 0.5, 1.0])
        #expect(try KeywordMetrics.accuracy(truth: [0, 0, 0, 1, 1, 2], predictions: [0, 0, 1, 1, 2, 2]) == 4.0 / 6.0)
        #expect(matrix.textTable() == """
            true \\ predicted  yes no _silence_  accuracy  examples
            yes                 2  1         0     66.7%         3
            no                  0  1         1     50.0%         2
            _silence_           0  0         1    100.0%         1
            accuracy 66.67% (4 of 6), balanced 72.22%

            """)
        let empty = ConfusionMatrix(labels: ["a", "b"])
        #expect(empty.perClassAccuracy == [nil, nil] && empty.accuracy == 0)
        let svg = matrix.heatMapSVG()
        #expect(try SVGTests.isWellFormed(svg))
        #expect(svg.contains(">67</text>") && svg.contains(">_silence_</text>"))
    }

    @Test func aVocabularyIsSummarizedNotTabulated() throws {
        // 50 words: each right once; word 7 twice called word 3, word 9 once called word 2.
        let labels = (0..<50).map { "w\($0)" }
        let truth = Array(0..<50) + [7, 7, 9], predictions = Array(0..<50) + [3, 3, 2]
        let matrix = try ConfusionMatrix(labels: labels, truth: truth, predictions: predictions)
        #expect(matrix.mostConfused(limit: 5).map { [$0.truth, $0.prediction, $0.count] } == [[7, 3, 2], [9, 2, 1]])
        #expect(matrix.textTable() == """
            50 classes (no table beyond 40; the report's JSON has the matrix); most frequent confusions:
              w7 -> w3  2
              w9 -> w2  1
            accuracy 94.34% (50 of 53), balanced 97.67%

            """)
    }

    @Test func confusionErrorsNameTheExample() {
        #expect(throws: EvaluationError.unknownClass(item: "example 2", index: 5, classCount: 2)) {
            try ConfusionMatrix(labels: ["a", "b"], truth: [0, 1], predictions: [0, 5])
        }
        #expect(EvaluationError.unknownClass(item: "example 2", index: 5, classCount: 2).description
            == "example 2: class index 5 is outside the 2 labels")
        #expect(throws: EvaluationError.emptyInput(what: "examples")) { try KeywordMetrics.accuracy(truth: [], predictions: []) }
        #expect(throws: EvaluationError.lengthMismatch(item: "accuracy", what: "the predictions", expected: 2, actual: 1)) {
            try KeywordMetrics.accuracy(truth: [0, 1], predictions: [0])
        }
    }

    // Four labels; events: a hit, a repeated trigger, a late one, an early-but-inside one, a hit at the tolerance's
    // edge, an unknown keyword and one before its label starts.
    let labels = [
        KeywordInterval(keyword: "yes", startSeconds: 1.0, endSeconds: 1.5),
        KeywordInterval(keyword: "no", startSeconds: 3.0, endSeconds: 3.4),
        KeywordInterval(keyword: "yes", startSeconds: 6.0, endSeconds: 6.5),
        KeywordInterval(keyword: "yes", startSeconds: 10.0, endSeconds: 10.6),
    ]
    let events = [
        DetectionEvent(timeSeconds: 1.6, keyword: "yes", score: 0.9),
        DetectionEvent(timeSeconds: 1.8, keyword: "yes", score: 0.8),
        DetectionEvent(timeSeconds: 3.95, keyword: "no", score: 0.7),
        DetectionEvent(timeSeconds: 3.3, keyword: "no", score: 0.4),
        DetectionEvent(timeSeconds: 7.0, keyword: "yes", score: 0.95),
        DetectionEvent(timeSeconds: 8.0, keyword: "up", score: 0.99),
        DetectionEvent(timeSeconds: 5.9, keyword: "yes", score: 0.3),
    ]

    @Test func matchingFollowsTheRule() {
        let all = KeywordMetrics.match(labels: labels, events: events)
        #expect(all.eventForLabel == [0, 3, 4, nil])
        #expect(all.falseAcceptEvents == [1, 2, 6, 5])
        expectClose(all.latencies, [0.1, -0.1, 0.5], tolerance: 1e-12, "latencies")
        #expect(all.hits == 3 && all.misses == 1)
        // A wider tolerance lets the late "no" match, but the earlier event has taken the label already.
        #expect(KeywordMetrics.match(labels: labels, events: events, toleranceSeconds: 1).eventForLabel == [0, 3, 4, nil])
        #expect(KeywordMetrics.match(labels: labels, events: events, threshold: 0.5, toleranceSeconds: 1).eventForLabel == [0, 2, 4, nil])
    }

    @Test func sweepGivesTheDETCurveAndFRRAtBudgets() throws {
        let report = try KeywordMetrics.evaluateStream(labels: labels, events: events, durationSeconds: 3_600)
        #expect(report.curve.map(\.threshold) == [.infinity, 0.99, 0.95, 0.9, 0.8, 0.7, 0.4, 0.3])
        #expect(report.curve.map(\.hits) == [0, 0, 1, 2, 2, 2, 3, 3])
        #expect(report.curve.map(\.falseAccepts) == [0, 1, 1, 1, 2, 3, 3, 4])
        #expect(report.curve.map(\.falseRejectRate) == [1, 1, 0.75, 0.5, 0.5, 0.5, 0.25, 0.25])
        #expect(report.curve.map(\.falseAcceptsPerHour) == [0, 1, 1, 1, 2, 3, 3, 4])
        #expect(report.targets.map(\.point.threshold) == [.infinity, .infinity, 0.9])
        #expect(report.targets.map(\.point.falseRejectRate) == [1, 1, 0.5])
        let latency = report.targets[2].latency
        #expect(latency.count == 2)
        expectClose([latency.mean, latency.median, latency.percentile90, latency.minimum, latency.maximum], [0.3, 0.3, 0.46, 0.1, 0.5], tolerance: 1e-12, "latency")
        #expect(report.allEvents.point == DetectionOperatingPoint(threshold: -.infinity, hits: 3, misses: 1, falseAccepts: 4, falseRejectRate: 0.25, falseAcceptsPerHour: 4))
        #expect(report.textTable().contains("1.00         0.9000       50.00%       2  1   1.000           0.300   0.300   0.460"))
        let decoded = try StreamingDetectionReport(json: report.json())
        #expect(decoded == report)
        #expect(String(decoding: try report.json(), as: UTF8.self).contains("\"false_accepts_per_hour\""))
        let svg = report.detCurveSVG()
        #expect(try SVGTests.isWellFormed(svg))
        #expect(svg.contains("<polyline") && svg.contains(">false accepts per hour</text>"))
        #expect(try KeywordMetrics.detectionCurve(labels: labels, events: events, durationSeconds: 3_600) == report.curve)
    }

    @Test func sweepOfSeparateRunsEqualsFilteringWhenTheEventsAreNested() throws {
        // A detector without refractory behaviour: its events at threshold t are those of the lowest run with score >= t.
        let thresholds = [0.3, 0.4, 0.7, 0.8, 0.9, 0.95, 0.99]
        let sweep = thresholds.map { t in (threshold: t, events: events.filter { $0.score >= t }) }
        let swept = try KeywordMetrics.evaluateSweep(labels: labels, sweep: sweep.reversed(), durationSeconds: 3_600)
        let filtered = try KeywordMetrics.evaluateStream(labels: labels, events: events, durationSeconds: 3_600)
        #expect(swept.curve == filtered.curve)
        #expect(swept.targets == filtered.targets)
        #expect(swept.allEvents.point.hits == 3 && swept.allEvents.point.threshold == 0.3 && swept.eventCount == events.count)
        // A run that is not a subset of the lower one (a trigger that fires later at a higher threshold) counts as given.
        let late = [DetectionEvent(timeSeconds: 100, keyword: "zzz", score: 0.5)]
        let odd = try KeywordMetrics.evaluateSweep(labels: labels, sweep: [(0.5, late), (0.2, [])], durationSeconds: 3_600)
        #expect(odd.curve.map(\.falseAccepts) == [0, 1, 0])
        #expect(throws: EvaluationError.self) { try KeywordMetrics.evaluateSweep(labels: labels, sweep: [], durationSeconds: 3_600) }
    }

    @Test func streamErrorsAreExplicit() throws {
        #expect(throws: EvaluationError.emptyInput(what: "keyword labels")) {
            try KeywordMetrics.evaluateStream(labels: [], events: events, durationSeconds: 10)
        }
        #expect(throws: EvaluationError.invalidParameter(name: "stream duration", value: "0.0", reason: "must be a positive number of seconds")) {
            try KeywordMetrics.evaluateStream(labels: labels, events: events, durationSeconds: 0)
        }
        #expect(throws: EvaluationError.invalidParameter(name: "false accepts per hour", value: "-1.0", reason: "must be a finite number >= 0")) {
            try KeywordMetrics.evaluateStream(labels: labels, events: events, durationSeconds: 10, targets: [-1])
        }
    }

    @Test func labelsLoadFromTheStreamCorpusCSV() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try "keyword,start_s,end_s,condition\nyes,1.250,1.800,clean\nno,4.000,4.400,noise\n".write(toFile: dir.file("labels.csv"), atomically: true, encoding: .utf8)
        #expect(try KeywordInterval.load(csv: dir.file("labels.csv")) == [
            KeywordInterval(keyword: "yes", startSeconds: 1.25, endSeconds: 1.8), KeywordInterval(keyword: "no", startSeconds: 4, endSeconds: 4.4),
        ])
        try "keyword,start_s,end_s\nyes,2,1\n".write(toFile: dir.file("bad.csv"), atomically: true, encoding: .utf8)
        #expect(throws: EvaluationError.malformedInput(path: dir.file("bad.csv"), line: 2, reason: "end_s 1.0 is before start_s 2.0")) {
            try KeywordInterval.load(csv: dir.file("bad.csv"))
        }
    }
}
