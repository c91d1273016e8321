import ArgumentParser
import AudioDatasets
import AudioIO
import Evaluation
import Foundation
import Streaming
import Separation
import TensorCore

/// `sepkws eval-sep --model DIR --data DIR`: SI-SNR(i) and BSS-Eval SDR(i) of a separator on a test split.
struct EvalSep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-sep",
        abstract: "Score a separator on a LibriMix or WSJ0-mix split: SI-SNR, SI-SNRi, SDR, SDRi (BSS-Eval v3, as mir_eval).",
        discussion: """
            SI-SNR is zero-mean with eps 1e-8 and utterance-level PIT (as Asteroid and SpeechBrain); SDR is BSS-Eval v3 \
            with the 512-tap distortion filter, equal to mir_eval's bss_eval_sources. Prints a table; --csv writes one \
            row per utterance, --report the summary, --plot an SVG histogram of SI-SNRi.
            """)

    @Option(help: "Model directory (config.json + model.safetensors). Default: the shipped model.")
    var model: String?

    @Option(help: "Corpus folder (LibriMix layout, sepkws synth mixtures, or WSJ0-mix).")
    var data: String

    @Option(help: "Split: test, dev, train (LibriMix) or tt, cv, tr (WSJ0-mix).")
    var split = "test"

    @Option(help: "LibriMix mixtures: mix_clean or mix_both.")
    var mixture: MixtureKind = .clean

    @Option(help: ArgumentHelp(
        "Score at this sample rate (Hz; default: the data's own, read from its first mixture).",
        discussion: "At another rate than the model's, each mixture is resampled to the model's rate, separated, and the estimates resampled back, as `sepkws separate` does with a file at that rate: how an 8 kHz model serves 16 kHz audio."))
    var rate: Int?

    /// The windows of `separate`: a mixture longer than one window is scored as `separate` serves it, chunked.
    @OptionGroup var windows: SeparationWindowOptions

    @OptionGroup var averaging: TestTimeAveragingOptions

    @Option(help: ArgumentHelp(
        "Talkers negated before separating: as-recorded, inverted (every talker: the mixture negated) or mixed (the last talker).",
        discussion: "A check that the model separates recordings of either polarity: the scores do not depend on an estimate's sign, so a model that does scores the same under each."))
    var polarity: MixturePolarity = .asRecorded

    @Option(help: "Score only the first N mixtures.")
    var limit: Int?

    @Flag(help: "Skip BSS-Eval SDR (SI-SNR only, faster).")
    var noSDR = false

    @Option(help: "Write one row per utterance to this CSV.")
    var csv: String?

    @Option(help: "Write the summary to this JSON file.")
    var report: String?

    /// The old spelling of `--report FILE`, kept for existing scripts.
    @Option(name: .customLong("json"), help: .hidden)
    var jsonReport: String?

    /// `--report FILE` (or its old spelling `--json FILE`).
    var json: String? { report ?? jsonReport }

    @Option(help: "Write an SVG histogram of SI-SNRi.")
    var plot: String?

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        if report != nil && jsonReport != nil { throw ValidationError("give --report FILE once (--json FILE is its old spelling)") }
        try OptionBounds.check("--limit", limit, 1...Int(Int32.max))
        if let rate, !(1_000...384_000).contains(rate) { throw ValidationError("--rate \(rate): give a sample rate in Hz (1000-384000)") }
    }

    func run() throws {
        // Outputs are checked before the evaluation, which may take hours, rather than after it.
        for output in [csv, json, plot].compactMap({ $0 }) { _ = try AtomicOutput(destination: output) }
        let directory = try model ?? ModelLocator.shipped(ModelLocator.defaultSeparator) ?? {
            throw SeparationError.noModel(hint: "none is shipped in Models/ yet; pass --model DIR")
        }()
        threading.apply()
        let separator = try MossFormer2Separator(directory: directory)
        try averaging.check(separator, model: directory)
        var examples = try SeparationDataset.examples(root: data, split: split, mixture: mixture)
        if let limit { examples = Array(examples.prefix(limit)) }
        let modelRate = separator.configuration.sampleRate
        // By default the data is scored at its own rate, as `separate` serves a file at that rate.
        let scoreRate = try rate ?? examples.first.map { try AudioFileReader(path: $0.mixture).info.sampleRate } ?? modelRate
        let evaluator = SeparationEvaluator(sampleRate: scoreRate, computeSDR: !noSDR, polarity: polarity)
        // The path `separate` runs (FileSeparator): at the data's rate through the model's rate and back, in windows of
        // the model when a mixture is longer than one. Unscaled (`--normalize none`): the scores do not see a positive
        // gain, and the mixture gains may silence a stem (a negative gain is clamped to zero), which would hide the
        // model's estimate; and float stems, not 16-bit.
        let files = FileSeparator(separator: separator, plan: try windows.plan(sampleRate: modelRate), scaling: .none,
                                  shifts: averaging.shifts, bothPolarities: averaging.usesBothPolarities(separator))
        let separate: ([Float]) throws -> [[Float]] = { try files.separate($0, sampleRate: scoreRate) }
        let bar = ProgressBar(label: "eval-sep", unit: "mixtures")
        let manifest = try MixtureCorpusManifest(root: data)
        let report = try evaluator.evaluate(examples, separate: separate, progress: { done, total, _ in bar.update(done: done, total: total) },
                                            subsets: manifest.map { m in { m.subsets(of: $0) } })
        if let csv { try report.writeCSV(to: csv) }
        if let json { try report.writeSummaryJSON(to: json) }
        if let plot { try report.writeHistogram(to: plot) }
        try Console.line(report.textTable())
    }
}

extension MixtureKind: ExpressibleByArgument {}
extension MixturePolarity: ExpressibleByArgument {}
