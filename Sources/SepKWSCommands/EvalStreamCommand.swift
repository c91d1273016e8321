import ArgumentParser
import AudioDatasets
import AudioIO
import Evaluation
import Foundation
import TensorCore
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

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        try OptionBounds.check("--tolerance", tolerance, 0...60, unit: "s")
    }

    func run() throws {
        // Outputs are checked before the stream is scored, which may take hours, rather than after it.
        for output in [plot, report, scores].compactMap({ $0 }) { _ = try AtomicOutput(destination: output, inputs: [labels] + (audio.map { [$0] } ?? [])) }
        threading.apply(default: 1)
        let budgets = try targets.split(separator: ",").map { part -> Double in
            guard let v = Double(part.trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite else {
                throw ValidationError("--targets '\(part)': expected false accepts per hour (numbers >= 0)")
            }
            return v
        }
        let spotter = try detection.loadSpotter()
        let settings = try detection.settings(for: spotter)
        let watched = Set(settings.keywords.map { spotter.configuration.labels[$0] })
        let (intervals, conditions, engines) = try StreamingDetectionEvaluator.labels(csv: labels, watched: watched)
        let audioPath = try audio ?? StreamingDetectionEvaluator.audio(besideLabels: labels)
        let evaluator = StreamingDetectionEvaluator(labels: intervals, conditions: conditions, engines: engines, toleranceSeconds: tolerance, targets: budgets)
        let detector = try KeywordDetector(spotter: spotter, hop: detection.hop(for: spotter), settings: settings, separation: try detection.separation())
        let bar = ProgressBar(label: "eval-stream", unit: "s")
        let result = try evaluator.evaluate(audio: audioPath, detector: detector, settings: settings) { bar.update(done: $0, total: $1) }
        if let scores { try result.scoresTable().write(to: scores) }
        let text = result.text(thresholdDescription: detection.thresholdDescription(for: spotter), separated: detection.separate)
        try Console.line(text.trimmingCharacters(in: .newlines))
        if let plot {
            try AtomicOutput.write(Data(result.report.detCurveSVG(title: "Keyword detection (DET), \(audioPath)").utf8), to: plot)
        }
        if let report { try AtomicOutput.write(try result.report.json(), to: report) }
    }
}
