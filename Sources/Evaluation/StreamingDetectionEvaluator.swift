import AudioDatasets
import AudioIO
import Foundation
import Streaming

/// Keyword detection over a long labelled stream: the stream is scored once (every hop recorded), then the
/// detector's rules are replayed at every threshold of a sweep, so each point of the DET curve is exactly what
/// `detect --threshold T` would report.
///
/// An event matches a label of the same keyword if it fires between the label's start and its end plus the
/// tolerance; labels of keywords the detector does not watch are left out (``labels(csv:watched:)``).
///
/// ```swift
/// let labels = try StreamingDetectionEvaluator.labels(csv: "stream/labels.csv", watched: ["yes", "no"])
/// let evaluator = StreamingDetectionEvaluator(labels: labels.intervals, conditions: labels.conditions, engines: labels.engines,
///                                             voices: labels.voices)
/// let detector = try KeywordDetector(spotter: spotter, hop: 1_280, settings: settings)
/// let result = try evaluator.evaluate(audio: "stream/stream.wav", detector: detector, settings: settings)
/// print(result.text(thresholdDescription: "0.5"))
/// ```
public struct StreamingDetectionEvaluator {
    /// The labels of watched keywords.
    public var labels: [KeywordInterval]
    /// Each label's condition (a `condition` column of the labels CSV), or nil.
    public var conditions: [String]?
    /// Each label's speech engine family (an `engine` column of the labels CSV), or nil.
    public var engines: [String]?
    /// Each label's voice (a `voice` column of the labels CSV), or nil.
    public var voices: [String]?
    /// Seconds after a label's end during which an event still matches it.
    public var toleranceSeconds: Double
    /// False accepts per hour to report the false-reject rate at.
    public var targets: [Double]
    /// What the stream said when (its `segments.csv`, ``StreamSegment/load(besideLabels:)``), to name what a false
    /// accept heard; nil: unknown.
    public var segments: [StreamSegment]?
    /// The detector's window (s): a false accept heard the segment that overlaps `[time - window, time]` the longest.
    public var windowSeconds: Double
    /// Most false accepts listed (``StreamingDetectionEvaluation/falseAccepts``).
    public static let listedFalseAccepts = 10

    public init(
        labels: [KeywordInterval], conditions: [String]? = nil, engines: [String]? = nil, voices: [String]? = nil,
        toleranceSeconds: Double = KeywordMetrics.defaultToleranceSeconds, targets: [Double] = KeywordMetrics.defaultTargets,
        segments: [StreamSegment]? = nil, windowSeconds: Double = 1
    ) {
        self.segments = segments
        self.windowSeconds = windowSeconds
        self.labels = labels
        self.conditions = conditions
        self.engines = engines
        self.voices = voices
        self.toleranceSeconds = toleranceSeconds
        self.targets = targets
    }

    /// The labels of a CSV (`keyword,start_s,end_s[,condition][,engine][,voice]`) whose keyword is in `watched`, with
    /// their conditions, engines and voices (nil without the column).
    /// - Throws: `EvaluationError.emptyInput` if none is watched; CSV errors.
    public static func labels(csv path: String, watched: Set<String>) throws
        -> (intervals: [KeywordInterval], conditions: [String]?, engines: [String]?, voices: [String]?) {
        let table = try CSVTable(path: path)
        let all = try KeywordInterval.load(csv: path)
        let kept = all.indices.filter { watched.contains(all[$0].keyword) }
        guard !kept.isEmpty else { throw EvaluationError.emptyInput(what: "labels of watched keywords in \(path)") }
        func column(_ name: String) -> [String]? { table.header.contains(name) ? kept.map { table.value(name, row: $0) ?? "" } : nil }
        return (kept.map { all[$0] }, column("condition"), column("engine"), column("voice"))
    }

    /// The audio of a labels file: `stream.wav` beside it (the `synth stream` layout), else the one audio file with
    /// the labels' name (`test.csv` -> `test.wav`, `test.flac`, ...).
    /// - Throws: `EvaluationError.emptyInput` naming the files looked for, when none exists.
    public static func audio(besideLabels labels: String) throws -> String {
        let folder = (labels as NSString).deletingLastPathComponent
        let stem = ((labels as NSString).lastPathComponent as NSString).deletingPathExtension
        var candidates = [(folder as NSString).appendingPathComponent("stream.wav")]
        candidates += ["wav", "flac", "ogg"].map { (folder as NSString).appendingPathComponent("\(stem).\($0)") }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw EvaluationError.emptyInput(what: "audio for \(labels) (looked for \(candidates.joined(separator: ", ")); give --audio FILE)")
    }

    /// Scores the stream at `audio` once with `detector` and evaluates the sweep and the detector's own `settings`.
    /// - Parameters:
    ///   - detector: a fresh detector (its `onHop` is replaced).
    ///   - progress: called after each block with (seconds scored, total seconds).
    /// - Throws: `AudioIOError` (`noAudio` for an empty stream), `EvaluationError`.
    public func evaluate(
        audio: String, detector: KeywordDetector, settings: DetectionSettings, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> StreamingDetectionEvaluation {
        let started = Date()
        let recorded = try Self.record(audio: audio, detector: detector, progress: progress)
        let scoringSeconds = Date().timeIntervalSince(started)
        return try evaluate(recorded, settings: settings, scoringSeconds: scoringSeconds)
    }

    /// Scores the stream at `audio` once with `detector`, recording every hop (for replays at any rules).
    /// - Parameter progress: called after each block with (seconds scored, total seconds).
    /// - Throws: `AudioIOError` (`noAudio` for an empty stream), the detector's errors.
    public static func record(
        audio: String, detector: KeywordDetector, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> RecordedKeywordStream {
        var hops: [[KeywordHopScores]] = []
        detector.onHop = { hops.append($0) }
        let reader = try MonoReader(path: audio, sampleRate: detector.sampleRate)
        var samples = 0
        let total = reader.info.frameCount / max(1, reader.info.sampleRate)
        while let block = try reader.read() {
            samples += block.count
            _ = try detector.push(block)
            progress(min(total, samples / detector.sampleRate), total)
        }
        _ = try detector.finish()
        if samples == 0 { throw AudioIOError.noAudio(path: audio) }
        return RecordedKeywordStream(
            hops: hops, labels: detector.labels, sampleRate: detector.sampleRate,
            durationSeconds: Double(samples) / Double(detector.sampleRate))
    }

    /// Evaluates a recorded stream: the sweep, and the detector's own `settings`.
    /// - Throws: `EvaluationError`.
    public func evaluate(
        _ recorded: RecordedKeywordStream, settings: DetectionSettings, scoringSeconds: Double = 0
    ) throws -> StreamingDetectionEvaluation {
        let sweep = recorded.sweep(settings)
        let report = try KeywordMetrics.evaluateSweep(
            labels: labels, sweep: sweep, durationSeconds: recorded.durationSeconds, toleranceSeconds: toleranceSeconds, targets: targets)
        let chosen = KeywordMetrics.match(labels: labels, events: recorded.events(settings), toleranceSeconds: toleranceSeconds)
        // The matching at each target's threshold, once, for the rows by condition, keyword, engine and voice.
        let eventsAtTargets = report.targets.map { target -> [DetectionEvent] in
            let threshold = target.point.threshold
            return threshold.isFinite ? sweep.first { $0.threshold == threshold }?.events ?? [] : []
        }
        let atTargets = eventsAtTargets.map { KeywordMetrics.match(labels: labels, events: $0, toleranceSeconds: toleranceSeconds) }
        // The false accepts at the largest budget with a finite threshold, highest score first: what the detector
        // confuses with its keywords.
        var falseAccepts: [ListedFalseAccept] = [], falseAcceptsBudget: Double?
        if let t = report.targets.indices.filter({ report.targets[$0].point.threshold.isFinite })
            .max(by: { report.targets[$0].targetFalseAcceptsPerHour < report.targets[$1].targetFalseAcceptsPerHour }) {
            falseAccepts = ListedFalseAccept.highest(eventsAtTargets[t], matching: atTargets[t], segments: segments,
                                                     windowSeconds: windowSeconds, limit: Self.listedFalseAccepts)
            falseAcceptsBudget = report.targets[t].targetFalseAcceptsPerHour
        }
        func rows(_ names: [String]?) -> [StreamingDetectionEvaluation.GroupRow] {
            guard let names else { return [] }
            return Array(Set(names)).sorted().map { name in
                let members = names.indices.filter { names[$0] == name }
                func missed(_ matching: DetectionMatching) -> Double {
                    Double(members.count { matching.eventForLabel[$0] == nil }) / Double(members.count)
                }
                return .init(name: name, labels: members.count, missedAtTargets: atTargets.map(missed), missedAtSettings: missed(chosen))
            }
        }
        let keywords = labels.map(\.keyword)
        return StreamingDetectionEvaluation(
            recorded: recorded, report: report, chosen: chosen, labelCount: labels.count, byCondition: rows(conditions),
            byKeyword: Set(keywords).count > 1 ? rows(keywords) : [], byEngine: rows(engines), byVoice: rows(voices),
            falseAccepts: falseAccepts, falseAcceptsBudget: falseAcceptsBudget, scoringSeconds: scoringSeconds)
    }
}

/// What ``StreamingDetectionEvaluator`` found: the sweep's report, the detector's own operating point, and the
/// false rejects by condition, keyword, engine and voice.
public struct StreamingDetectionEvaluation: Sendable {
    /// The false-reject rates of one group of labels (a condition, a keyword, an engine family or a voice).
    public struct GroupRow: Sendable, Equatable {
        /// The group's name.
        public var name: String
        /// Its labels.
        public var labels: Int
        /// The fraction missed at each target of the report (in its order).
        public var missedAtTargets: [Double]
        /// The fraction missed at the detector's own settings.
        public var missedAtSettings: Double
    }

    /// Every hop's scores.
    public var recorded: RecordedKeywordStream
    /// The sweep: FRR at the false-accept targets, the DET curve.
    public var report: StreamingDetectionReport
    /// The matching at the detector's own settings.
    public var chosen: DetectionMatching
    /// Labels evaluated.
    public var labelCount: Int
    /// False rejects by condition (empty without conditions).
    public var byCondition: [GroupRow]
    /// False rejects by keyword (empty with one keyword).
    public var byKeyword: [GroupRow]
    /// False rejects by the engine family that spoke the keyword (empty without engines).
    public var byEngine: [GroupRow]
    /// False rejects by the voice that spoke the keyword (empty without voices).
    public var byVoice: [GroupRow]
    /// The false accepts at the largest false-accept budget that has a finite threshold (`falseAcceptsBudget`),
    /// highest score first, at most ``StreamingDetectionEvaluator/listedFalseAccepts``.
    public var falseAccepts: [ListedFalseAccept]
    /// The budget (FA/h) `falseAccepts` are listed at; nil when no budget has a finite threshold.
    public var falseAcceptsBudget: Double?
    /// Wall-clock seconds spent scoring the stream.
    public var scoringSeconds: Double

    /// The report's table, the detector's operating point and the rows by condition, keyword, engine and voice, as
    /// printed by `eval-stream`.
    /// - Parameters:
    ///   - thresholdDescription: how the detector's threshold is spelled (`0.5`, or per keyword).
    ///   - separated: whether separation ran before detection (said in the speed line).
    public func text(thresholdDescription: String, separated: Bool = false) -> String {
        let duration = recorded.durationSeconds
        var text = report.textTable()
        text += String(format: "at --threshold %@: FRR %.2f%% (%d of %d missed), %d false accepts (%.2f per hour), latency median %.3f s\n",
                       thresholdDescription, 100 * Double(chosen.misses) / Double(labelCount), chosen.misses, labelCount,
                       chosen.falseAcceptEvents.count, Double(chosen.falseAcceptEvents.count) / (duration / 3_600),
                       LatencySummary(chosen.latencies).median)
        let names = report.targets.map { String(format: "at %.2f FA/h", $0.targetFalseAcceptsPerHour) }
        for (group, rows) in [("condition", byCondition), ("keyword", byKeyword), ("engine", byEngine), ("voice", byVoice)] where !rows.isEmpty {
            text += "false rejects by \(group):\n"
            let width = max(8, rows.map(\.name.count).max() ?? 0)
            for row in rows {
                var line = "  " + row.name.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: " %4d labels", row.labels)
                for (name, missed) in zip(names, row.missedAtTargets) { line += String(format: "  %@ %6.2f%%", name, 100 * missed) }
                line += String(format: "  at --threshold %6.2f%%", 100 * row.missedAtSettings)
                text += line + "\n"
            }
        }
        if let budget = falseAcceptsBudget, !falseAccepts.isEmpty {
            text += String(format: "false accepts at %.2f FA/h, highest score first:\n", budget)
            for accept in falseAccepts {
                text += String(format: "  %9.2f s  %@  ", accept.timeSeconds, accept.keyword) + accept.summary + "\n"
            }
        }
        text += String(format: "scored %.1f s of audio in %.1f s (real-time factor %.4f%@)\n", duration, scoringSeconds, scoringSeconds / duration,
                       separated ? ", separation included" : "")
        return text
    }

    /// Every hop's class probabilities: `time_s, talker, one column per label`.
    public func scoresTable() -> CSVTable {
        let rate = Double(recorded.sampleRate)
        var table = CSVTable(header: ["time_s", "talker"] + recorded.labels)
        for hop in recorded.hops {
            for (t, s) in hop.enumerated() {
                table.rows.append([String(format: "%.3f", Double(s.endSample) / rate), "\(t + 1)"] + s.probabilities.map { String(format: "%.4f", $0) })
            }
        }
        return table
    }
}
