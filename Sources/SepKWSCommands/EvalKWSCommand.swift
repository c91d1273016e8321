import ArgumentParser
import AudioDatasets
import AudioIO
import Evaluation
import Foundation
import Streaming
import KeywordSpotting
import TensorCore

/// `sepkws eval-kws`: accuracy, per-class accuracy and the confusion matrix of a keyword spotter on a split.
struct EvalKWS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-kws",
        abstract: "Evaluate a keyword spotter on a Speech Commands folder: accuracy, per-class accuracy, confusion matrix.",
        discussion: """
            The task (12 or 35 classes) follows the model's labels. In the 12-class task _unknown_ and _silence_ are \
            subsampled (seeded) to the mean size of a command class, as in the standard test set; --all-unknown keeps \
            every clip. When the folder has the synthesizer's clips.csv, accuracy per engine family, per voice and on \
            clips with and without noise is reported too. --intelligible-only scores only the clips that `sepkws synth \
            intelligibility` judged to say their word (after balancing, so that they are a subset of the clips scored \
            without it) and reports how many were left out.
            """)

    @Option(help: "Model folder; default: the shipped \(DefaultModels.keywordSpotter).")
    var model: String?

    @Option(help: "Speech Commands folder.")
    var data: String

    @Option(help: "Split: test, dev or train.")
    var split: CorpusSplit = .test

    @Option(help: "Write the confusion matrix as an SVG heat map.")
    var plot: String?

    @Option(help: "Write the JSON report to this file.")
    var report: String?

    /// The old spelling of `--report FILE`, kept for existing scripts.
    @Option(name: .customLong("json"), help: .hidden)
    var jsonReport: String?

    /// `--report FILE` (or its old spelling `--json FILE`).
    var json: String? { report ?? jsonReport }

    @Flag(help: "Keep every _unknown_ and _silence_ example (no balancing).")
    var allUnknown = false

    @Flag(help: "Score only word clips judged to say their word (see --intelligibility); _silence_ crops are kept.")
    var intelligibleOnly = false

    @Option(help: "The table of `sepkws synth intelligibility` (default: DATA/intelligibility.csv).")
    var intelligibility: String?

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        if report != nil && jsonReport != nil { throw ValidationError("give --report FILE once (--json FILE is its old spelling)") }
        if let plot, !plot.lowercased().hasSuffix(".svg") { throw ValidationError("--plot \(plot): must end in .svg") }
        if intelligibility != nil && !intelligibleOnly { throw ValidationError("--intelligibility FILE is read only with --intelligible-only") }
    }

    func run() throws {
        threading.apply()
        let modelDirectory = try model ?? DefaultModels.keywordSpotterDirectory()
        let spotter = try KeywordSpotter(directory: modelDirectory)
        let labels = spotter.configuration.labels
        guard let labelSet = KeywordLabelSet(labels: labels) else {
            throw ValidationError("the model's labels are neither a Speech Commands task (12 or 35 classes) nor keywords followed by _unknown_, _silence_")
        }
        for output in [plot, json].compactMap({ $0 }) { _ = try AtomicOutput(destination: output) }
        let dataset = try SpeechCommandsDataset(root: data, labelSet: labelSet, windowSamples: spotter.configuration.frontEnd.clipSamples)
        let all = try dataset.examples(in: split)
        var rng = SplitMix64(seed: KeywordClips.balanceSeed)
        var examples = allUnknown ? all : KeywordClips.balanced(all, labelSet: labelSet, using: &rng)
        var clips = "all"
        if intelligibleOnly {
            let table = try IntelligibilityTable(path: intelligibility ?? (data as NSString).appendingPathComponent(IntelligibilityTable.fileName))
            let (kept, dropped) = try table.intelligible(examples, root: data)
            clips = "intelligible only (\(dropped) of \(examples.count) left out)"
            examples = kept
        }
        let manifest = try KeywordCorpusManifest(root: data)

        let frontEnd = spotter.configuration.frontEnd
        let bar = ProgressBar(label: "eval-kws", unit: "clips")
        let report = try KeywordEvaluator(labels: labels, sampleRate: frontEnd.sampleRate).evaluate(
            examples, batchSize: Self.batchSize, subsets: { manifest?.subsets(of: $0) ?? [] },
            classifyBatch: { clips in
                spotter.classify(clips.map { KeywordSpotter.loudestWindow(of: $0, length: frontEnd.clipSamples, hop: frontEnd.hopLength) })
                    .map(\.index)
            },
            progress: { done, total in bar.update(done: done, total: total) })
        try Console.line("\(split) split of \(data), model \(modelDirectory), clips: \(clips)\n" + report.textTable().dropLast())
        if let plot {
            try report.writeHeatMap(
                to: plot, title: String(format: "\(split) split: accuracy %.2f%% on %d clips", 100 * report.confusion.accuracy, report.confusion.total))
        }
        if let json {
            try report.writeSummaryJSON(to: json, metadata: ["model": modelDirectory, "data": data, "split": split.rawValue, "clips": clips])
        }
    }

    /// Clips per call of the model.
    static let batchSize = 64
}
