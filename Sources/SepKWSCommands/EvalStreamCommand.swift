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
            The stream (`sepkws synth stream` layout: stream.wav beside labels.csv with keyword,start_s,end_s[,condition][,engine][,voice]) \
            is scored once; the detector's rules (smoothing, trigger count, refractory period) are then replayed at every \
            threshold of a sweep, so each point of the curve is exactly what `detect --threshold T` would report. An event \
            matches a label of the same keyword if it fires between the label's start and its end plus the tolerance; \
            labels of keywords not watched are left out. False rejects are also reported by keyword and by each optional \
            column (condition, engine family, voice). The false accepts at the largest budget are listed, highest score \
            first, with what the stream said there when its segments.csv (the `synth stream` layout) lies beside the labels.
            """)

    @Option(help: "Labels CSV: keyword,start_s,end_s (and optionally condition, engine, voice).")
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

    @Option(help: ArgumentHelp(
        "Write the windows where the model fired falsely into this folder (hard_nohash_N.wav and mined.csv), for training: `train-kws --words ... --hard-negatives DIR`.",
        discussion: "Hard-negative mining: on a stream of training speakers (`synth stream --speakers train`), the peaks of the watched keywords' smoothed score away from every labelled keyword (0.5 s before to 1.5 s after each), highest first, 0.5 s apart, each with the windows one hop either side."))
    var mineNegatives: String?

    @Option(help: "With --mine-negatives: lowest smoothed score of a mined peak.")
    var mineThreshold: Float = 0.5

    @Option(help: "With --mine-negatives: most peaks mined (each gives 3 windows).")
    var mineMax = 600

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        try OptionBounds.check("--tolerance", tolerance, 0...60, unit: "s")
        try OptionBounds.check("--mine-threshold", mineThreshold, 0...1)
        try OptionBounds.check("--mine-max", mineMax, 1...1_000_000)
        if let mineNegatives {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: mineNegatives, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw ValidationError("--mine-negatives \(mineNegatives): exists and is not a folder")
            }
        }
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
        let (intervals, conditions, engines, voices) = try StreamingDetectionEvaluator.labels(csv: labels, watched: watched)
        let audioPath = try audio ?? StreamingDetectionEvaluator.audio(besideLabels: labels)
        let frontEnd = spotter.configuration.frontEnd
        let evaluator = StreamingDetectionEvaluator(labels: intervals, conditions: conditions, engines: engines, voices: voices,
                                                    toleranceSeconds: tolerance, targets: budgets, segments: try StreamSegment.load(besideLabels: labels),
                                                    windowSeconds: frontEnd.clipSeconds)
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
        if let mineNegatives {
            let mining = HardNegativeMining(threshold: mineThreshold, maximumPeaks: mineMax, smoothingHops: settings.smoothingHops)
            let windows = mining.windows(in: result.recorded, keywords: settings.keywords, labels: try KeywordInterval.load(csv: labels))
            try HardNegativeMining.save(windows, audio: audioPath, clipSamples: frontEnd.clipSamples, sampleRate: frontEnd.sampleRate, to: mineNegatives)
            try Console.line(HardNegativeMining.summary(windows, threshold: mineThreshold, directory: mineNegatives))
        }
    }
}
