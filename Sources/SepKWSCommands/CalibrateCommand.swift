import ArgumentParser
import AudioIO
import Evaluation
import Foundation
import KeywordSpotting
import Streaming

/// `sepkws calibrate --model M --labels stream/labels.csv`: per-keyword detection thresholds at a false-accept budget,
/// stored in the model's `config.json`.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set a keyword model's detection thresholds on a labelled stream at a false-accept budget (stored in its config.json).",
        discussion: """
            The stream (`sepkws synth stream` layout: audio plus labels.csv with keyword,start_s,end_s) is scored once \
            with detect's rules; for each watched keyword the lowest-miss threshold whose false accepts (that keyword's \
            events matching none of its occurrences) stay within --target-fa-per-hour is kept. A stream of H hours \
            allows floor(target x H) false accepts per keyword. The thresholds go into MODEL/config.json (weights \
            untouched, the file replaced atomically), where detect and eval-stream use them without --threshold. \
            Calibrate on voices the model never heard and measure on another stream: a threshold then means about the \
            same false-accept rate for every model.
            """)

    @Option(help: "Labels CSV of the calibration stream: keyword,start_s,end_s (and optionally condition).")
    var labels: String

    @Option(help: "The stream's audio (default: stream.wav beside the labels, else the audio file named like the labels).")
    var audio: String?

    @Option(help: "False accepts per hour allowed per keyword.")
    var targetFaPerHour = 0.5

    @Option(help: "Write the calibrations (threshold, FRR and false accepts there, per keyword) as JSON.")
    var report: String?

    @OptionGroup var detection: DetectionOptions
    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        try OptionBounds.check("--target-fa-per-hour", targetFaPerHour, 0...100_000, unit: "FA/h")
        if detection.separate { throw ValidationError("--separate does not go with calibrate (thresholds are the model's own)") }
    }

    func run() throws {
        guard let model = detection.model else { throw ValidationError("give --model MODEL_DIR: calibrate rewrites its config.json, so the shipped model is never chosen for you") }
        if let report { _ = try AtomicOutput(destination: report, inputs: [labels, model] + (audio.map { [$0] } ?? [])) }
        threading.apply(default: 1)
        let audioPath = try audio ?? StreamingDetectionEvaluator.audio(besideLabels: labels)
        let bar = ProgressBar(label: "calibrate", unit: "s")
        let result = try ThresholdCalibration(targetFalseAcceptsPerHour: targetFaPerHour).run(
            model: model, audio: audioPath, labels: labels, report: report,
            rules: { spotter in (try detection.settings(for: spotter), detection.hop(for: spotter)) },
            scoringProgress: { bar.update(done: $0, total: $1) })
        var lines = [String(format: "%@: %.1f min of stream, detect's rules, per keyword:", audioPath, result.durationSeconds / 60)]
        lines += result.calibrations.flatMap(\.reportLines)
        lines.append("thresholds stored in \(model)/config.json")
        try Console.line(lines.joined(separator: "\n"))
    }
}
