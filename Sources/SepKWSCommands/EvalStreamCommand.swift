import ArgumentParser
import AudioDatasets
import AudioIO
import Evaluation
import Foundation
import KeywordSpotting
import Streaming

/// `sepkws eval-stream --labels labels.csv`: keyword detection over a long labelled stream, with a threshold sweep.
struct EvalStream: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-stream",
        abstract: "Evaluate keyword detection on a long labelled stream: false rejects at fixed false accepts per hour, latency, DET curve.",
        discussion: """
            The stream (`sepkws synth stream` layout: stream.wav beside labels.csv with keyword,start_s,end_s[,condition]) \
            is scored once; the detector's rules (smoothing, trigger count, refractory period) are then replayed at every \
            threshold of a sweep, so each point of the curve is exactly what `detect --threshold T` would report. An event \
            matches a label of the same keyword if it fires between the label's start and its end plus the tolerance; \
            labels of keywords not watched are left out.
            """)

    @Option(help: "Labels CSV: keyword,start_s,end_s (and optionally condition).")
    var labels: String

    @Option(help: "The stream's audio (default: stream.wav beside the labels, else the audio file named like the labels).")
    var audio: String?

    @OptionGroup var detection: DetectionOptions

    @Option(help: "Seconds after a label's end during which an event still matches it (default 1: a detector that classifies 1 s windows may fire up to a window after the word ends).")
    var tolerance = 1.0

    @Option(help: "False accepts per hour to report the false-reject rate at, comma-separated.")
    var targets = "0.1,0.5,1"

    @Option(help: "Write the DET curve (false rejects against false accepts per hour) as SVG.")
    var plot: String?

    @Option(help: "Write the full report as JSON.")
    var report: String?

    @Option(help: "Write every hop's class probabilities as CSV (time_s, talker, one column per label) for analysis.")
    var scores: String?

    @Option(help: "Worker threads.")
    var threads = 1

    mutating func validate() throws {
        try OptionBounds.check("--tolerance", tolerance, 0...60, unit: "s")
        try OptionBounds.check("--threads", threads, 1...256)
    }

    func run() throws {
        // Outputs are checked before the stream is scored, which may take hours, rather than after it.
        for output in [plot, report, scores].compactMap({ $0 }) { _ = try AtomicOutput(destination: output, inputs: [labels] + (audio.map { [$0] } ?? [])) }
        configureThreads(threads)
        let budgets = try targets.split(separator: ",").map { part -> Double in
            guard let v = Double(part.trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite else {
                throw ValidationError("--targets '\(part)': expected false accepts per hour (numbers >= 0)")
            }
            return v
        }
        let spotter = try detection.loadSpotter()
        let settings = try detection.settings(for: spotter)
        let watched = Set(settings.keywords.map { spotter.configuration.labels[$0] })
        let table = try CSVTable(path: labels)
        let all = try KeywordInterval.load(csv: labels)
        let kept = all.indices.filter { watched.contains(all[$0].keyword) }
        guard !kept.isEmpty else { throw EvaluationError.emptyInput(what: "labels of watched keywords in \(labels)") }
        let intervals = kept.map { all[$0] }
        let conditions = table.header.contains("condition") ? kept.map { table.value("condition", row: $0) ?? "" } : nil
        let audioPath = try audio ?? Self.audio(besideLabels: labels)

        // Score the stream once, recording every hop.
        let started = Date()
        let detector = try KeywordDetector(spotter: spotter, hop: detection.hop(for: spotter), settings: settings, separation: try detection.separation())
        var hops: [[KeywordHopScores]] = []
        detector.onHop = { hops.append($0) }
        let reader = try MonoReader(path: audioPath, sampleRate: detector.sampleRate)
        var samples = 0
        let bar = ProgressBar(label: "eval-stream", unit: "s")
        let total = reader.info.frameCount / max(1, reader.info.sampleRate)
        while let block = try reader.read() {
            samples += block.count
            _ = try detector.push(block)
            bar.update(done: min(total, samples / detector.sampleRate), total: total)
        }
        _ = try detector.finish()
        if samples == 0 { throw AudioIOError.noAudio(path: audioPath) }
        let duration = Double(samples) / Double(detector.sampleRate)
        let scoringSeconds = Date().timeIntervalSince(started)

        // Replay the rules at every threshold.
        let recorded = RecordedKeywordStream(hops: hops, labels: spotter.configuration.labels, sampleRate: detector.sampleRate, durationSeconds: duration)
        let rate = Double(detector.sampleRate)
        func events(_ rules: DetectionSettings) -> [DetectionEvent] { recorded.events(rules) }
        let sweep = recorded.sweep(settings)
        let result = try KeywordMetrics.evaluateSweep(
            labels: intervals, sweep: sweep, durationSeconds: duration, toleranceSeconds: tolerance, targets: budgets)
        if let scores {
            var table = CSVTable(header: ["time_s", "talker"] + spotter.configuration.labels)
            for hop in hops {
                for (t, s) in hop.enumerated() {
                    table.rows.append([String(format: "%.3f", Double(s.endSample) / rate), "\(t + 1)"] + s.probabilities.map { String(format: "%.4f", $0) })
                }
            }
            try table.write(to: scores)
        }
        let chosenEvents = events(settings)
        let chosen = KeywordMetrics.match(labels: intervals, events: chosenEvents, toleranceSeconds: tolerance)

        var text = result.textTable()
        text += String(format: "at --threshold %@: FRR %.2f%% (%d of %d missed), %d false accepts (%.2f per hour), latency median %.3f s\n",
                       detection.thresholdDescription(for: spotter), 100 * Double(chosen.misses) / Double(intervals.count), chosen.misses, intervals.count,
                       chosen.falseAcceptEvents.count, Double(chosen.falseAcceptEvents.count) / (duration / 3_600),
                       LatencySummary(chosen.latencies).median)
        if let conditions {
            text += "false rejects by condition:\n"
            let rows = result.targets.map { (String(format: "at %.2f FA/h", $0.targetFalseAcceptsPerHour), $0.point.threshold) }
            for name in Array(Set(conditions)).sorted() {
                let members = conditions.indices.filter { conditions[$0] == name }
                var line = "  " + name.padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: " %4d labels", members.count)
                for (label, threshold) in rows {
                    let matching = threshold.isFinite
                        ? KeywordMetrics.match(labels: intervals, events: sweep.first { $0.threshold == threshold }?.events ?? [], toleranceSeconds: tolerance)
                        : KeywordMetrics.match(labels: intervals, events: [], toleranceSeconds: tolerance)
                    let missed = members.count { matching.eventForLabel[$0] == nil }
                    line += String(format: "  %@ %6.2f%%", label, 100 * Double(missed) / Double(members.count))
                }
                let missed = members.count { chosen.eventForLabel[$0] == nil }
                line += String(format: "  at --threshold %6.2f%%", 100 * Double(missed) / Double(members.count))
                text += line + "\n"
            }
        }
        text += String(format: "scored %.1f s of audio in %.1f s (real-time factor %.4f%@)\n", duration, scoringSeconds, scoringSeconds / duration,
                       detection.separate ? ", separation included" : "")
        try Console.line(text.trimmingCharacters(in: .newlines))
        if let plot {
            try AtomicOutput.write(Data(result.detCurveSVG(title: "Keyword detection (DET), \(audioPath)").utf8), to: plot)
        }
        if let report { try AtomicOutput.write(try result.json(), to: report) }
    }
}

extension EvalStream {
    /// The audio of a labels file: `stream.wav` beside it (the `synth stream` layout), else the one audio file
    /// with the labels' name (`test.csv` -> `test.wav`, `test.flac`, ...).
    /// - Throws: `EvaluationError.emptyInput` naming the files looked for, when none exists.
    static func audio(besideLabels labels: String) throws -> String {
        let folder = (labels as NSString).deletingLastPathComponent
        let stem = ((labels as NSString).lastPathComponent as NSString).deletingPathExtension
        var candidates = [(folder as NSString).appendingPathComponent("stream.wav")]
        candidates += ["wav", "flac", "ogg"].map { (folder as NSString).appendingPathComponent("\(stem).\($0)") }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw EvaluationError.emptyInput(what: "audio for \(labels) (looked for \(candidates.joined(separator: ", ")); give --audio FILE)")
    }
}
