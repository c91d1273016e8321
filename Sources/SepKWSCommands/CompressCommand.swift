import ArgumentParser
import AudioDatasets
import AudioIO
import Foundation
import InformationBottleneck
import KeywordSpotting
import TensorCore

/// `sepkws compress MODEL_DIR --out DIR --budget F --data DIR...`: a smaller keyword spotter or separator within a
/// multiply-adds budget (separators: a resumable run, `--resume RUN`).
struct CompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Compress a keyword spotter or separator to a share of its multiply-adds (VIB gates, pruning, distillation).",
        discussion: """
            First --gate-steps (default half of --steps): noisy gates (mu + sigma eps, VIBNet) on every Transformer layer, \
            attention head, feed-forward unit and bottleneck unit are trained with the network to match the parent's \
            softened outputs, under an information cost per unit and an augmented Lagrangian on the expected \
            multiply-adds, whose target ramps from the parent's down to --budget. Then the \
            units whose gate is off go, and the weakest others until the multiply-adds are at most --budget x the \
            parent's; the kept weights are copied into smaller tensors (per-layer heads and feed-forward widths, \
            attention_heads and ffn_dims) and the remaining steps fine-tune them by distillation from the parent. \
            Convolution channels are not pruned (they set the Transformer's width). The folder loads with classify, detect, eval-kws and inspect; its config.json names its \
            parent (compressed_from) and the budget (compression_budget). Calibrated thresholds are not carried over.

            Separators (MossFormer2): gates on whole blocks, query/key channels beyond the rotary ones, expansion \
            units and FSMN hidden units; the loss is SI-SNR (PIT) to the parent's outputs and to the references \
            (--distillation-weight), the batches crops of the corpora's train splits. The folder (per-block widths in \
            config.json) loads with separate, eval-sep and inspect.

            Both: the run folder (--run, default OUT.run) holds checkpoint.safetensors and log.csv; SIGINT or SIGTERM \
            saves and exits, and `sepkws compress --resume RUN` continues exactly.
            """)

    @Argument(help: "The model folder to compress (not with --resume).")
    var model: String?

    @Option(help: "The new model folder.")
    var out: String?

    @Option(help: "Multiply-adds budget as a share of the parent's, in (0, 1].")
    var budget: Double?

    @Option(parsing: .upToNextOption, help: "Speech Commands folders (keyword spotter) or mixture corpora (separator) whose train splits give the clips.")
    var data: [String] = []

    @Option(name: .customLong("run"), help: "The run folder: checkpoint and log (default OUT.run).")
    var runFolder: String?

    @Option(help: "Continue the run in this folder.")
    var resume: String?

    @Option(help: "Steps that train the gates (default half of --steps); the rest fine-tune the pruned model.")
    var gateSteps: Int?

    @Option(help: "Separators: crop length in seconds.")
    var cropSeconds = 1.0

    @Option(help: "Separators: share of the loss given to the parent's outputs (the rest to the references).")
    var distillationWeight: Float = 0.5

    @Option(help: "Checkpoint every N steps.")
    var checkpointEvery = 20

    @Option(help: "Optimizer steps: the gates' (--gate-steps, default half), then fine-tuning.")
    var steps: Int = 400

    @Option(help: "Clips per step (default 32; separators: mixtures, default 2).")
    var batchSize: Int?

    @Option(help: ArgumentHelp("Keyword spotter: training clips held in memory (log-mels, 16 KB each).",
                               discussion: "Distillation on 1,024 clips overfit them: at a 0.5 budget the shipped spotter kept 59.0% on held-out Festival voices and 80.5% on unseen speakers of its own families, against 62.1% and 84.2% with 8,192."))
    var clips: Int = 8192

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Flag(help: "Keyword spotter: distil on fresh training windows every step, drawn as `train-kws --augment` draws them (noise, speed, gain, shift, room, equalizer, band limits, codecs), instead of the fixed clean --clips. Separator: augment the sources as `train-sep --augment` does (the parent hears the same mixtures).")
    var augment = false

    @Option(parsing: .singleValue, help: "Keyword spotter, with --augment: a folder of running speech for stream context, as train-kws --context (repeatable).")
    var context: [String] = []

    @OptionGroup var threading: ThreadOptions

    var settings: CompressionSettings {
        var settings = CompressionSettings(budget: budget ?? 0, steps: steps, batchSize: batchSize ?? 32, clips: clips, seed: seed)
        settings.gateSteps = gateSteps
        if augment { settings.windows = DistillationWindows(contextFolders: context.isEmpty ? nil : context) }
        return settings
    }

    mutating func validate() throws {
        if resume != nil {
            guard model == nil, out == nil, data.isEmpty, budget == nil else { throw ValidationError("--resume RUN takes its model, data and settings from the run") }
            return
        }
        guard model != nil, out != nil, budget != nil else { throw ValidationError("give MODEL_DIR, --out DIR and --budget F (or --resume RUN)") }
        guard !data.isEmpty else { throw ValidationError("give --data DIR (one or more)") }
        guard context.isEmpty || augment else { throw ValidationError("--context needs --augment") }
        try OptionBounds.check("--steps", steps, 2...10_000_000)
        try OptionBounds.check("--batch-size", batchSize, 1...4_096)
        try OptionBounds.check("--clips", clips, 1...1_000_000)
        do { try settings.validate() } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        threading.apply()
        let separator = resume.map { (try? KWSCompressionJob.stored(runDirectory: $0)) == nil } ?? SeparatorCompression.isSeparator(directory: model!)
        try separator ? compressSeparator() : compressKeywordSpotter()
    }

    func compressSeparator() throws {
        var settings = SeparatorCompressionSettings(parent: model ?? "", out: out ?? "", data: data, budget: budget ?? 1, steps: steps, gateSteps: gateSteps)
        (settings.batchSize, settings.cropSeconds, settings.distillationWeight) = (batchSize ?? 2, cropSeconds, distillationWeight)
        (settings.seed, settings.checkpointEvery) = (seed, checkpointEvery)
        if augment { settings.augmentation = SourceAugmentationSettings() }
        let runDirectory = resume ?? runFolder ?? out! + ".run"
        let job = try SeparatorCompression(settings: settings, runDirectory: runDirectory, resume: resume != nil)
        defer { job.release() }
        let bar = ProgressBar(label: "compress", unit: "steps")
        let outcome = try job.run(stopSignal: StopSignal()) { phase, done, total, m in
            bar.update(done: done, total: total, extra: String(format: "%@: SI-SNR to the parent %.2f dB, cost %.3f", phase, m["si_snr_parent"] ?? 0, m["cost_share"] ?? 0))
        }
        if case .stopped(let step, _) = outcome {
            return try Console.line("stopped at step \(step); continue with: sepkws compress --resume \(runDirectory)")
        }
        try Console.line(job.summary)
    }

    func compressKeywordSpotter() throws {
        let runDirectory = resume ?? runFolder ?? out! + ".run"
        var job = KWSCompressionJob(parent: model ?? "", out: out ?? "", data: data, settings: settings)
        job.checkpointEvery = checkpointEvery
        if resume != nil { job = try KWSCompressionJob.stored(runDirectory: runDirectory) }
        let parent = try KeywordSpotter.loadModel(directory: job.parent)
        let parentName = SeparatorCompression.parentName(job.parent)
        let features = try KWSCompressor.trainingFeatures(data: job.data, configuration: parent.configuration, count: job.settings.clips, seed: job.settings.seed)
        Console.error("compress: \(features.shape[0]) clips; parent \(parent.configuration.multiplyAccumulatesPerWindow) multiply-adds per window, budget \(job.settings.budget)")
        let windows = try KWSCompressor.distillationWindows(data: job.data, configuration: parent.configuration, settings: job.settings) {
            Console.error($0.replacingOccurrences(of: "train-kws:", with: "compress:"))
        }
        let run = try KWSCompression(parent: parent, parentName: parentName, features: features, settings: job.settings,
                                     windows: windows, run: (runDirectory, job), resume: resume != nil)
        defer { run.release() }
        let bar = ProgressBar(label: "compress", unit: "steps")
        let outcome = try run.run(stopSignal: StopSignal()) { phase, done, total, m in
            bar.update(done: done, total: total, extra: String(format: "%@ loss %.4f", phase, m["loss"] ?? 0))
        }
        if case .stopped(let step, _) = outcome {
            return try Console.line("stopped at step \(step); continue with: sepkws compress --resume \(runDirectory)")
        }
        let (result, out, budget) = (try run.result(), job.out, job.settings.budget)
        try KeywordSpotter.save(result.model, to: out, metadata: ["compressed_from": parentName])   // atomic (ModelDirectory)
        let c = result.model.configuration
        try Console.line(String(
            format: "%d -> %d multiply-adds per window (%.3f of the parent's; budget %.3f); %d layers, ffn %@, bottleneck %d; %.1f%% agreement with the parent; wrote %@",
            result.parentMultiplyAccumulates, result.multiplyAccumulates, Double(result.multiplyAccumulates) / Double(result.parentMultiplyAccumulates),
            budget, c.layers, (c.feedForwardDimensions ?? []).map(String.init).joined(separator: ","), c.bottleneckDimension, result.agreement * 100, out))
    }
}
