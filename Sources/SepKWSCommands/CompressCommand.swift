import ArgumentParser
import AudioIO
import Foundation
import InformationBottleneck
import KeywordSpotting
import TensorCore

/// `sepkws compress MODEL_DIR --out DIR --budget F --data DIR...`: a smaller keyword spotter within a multiply-adds budget.
struct CompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Compress a keyword-spotting model to a share of its multiply-adds (VIB gates, pruning, distillation).",
        discussion: """
            First half of --steps: noisy gates (mu + sigma eps, VIBNet) on every Transformer layer, feed-forward unit \
            and bottleneck unit are trained with the network to match the parent's softened outputs, under an \
            information cost per unit and a Lagrange multiplier on the expected multiply-adds over --budget. Then the \
            units whose gate is off go, and the weakest others until the multiply-adds are at most --budget x the \
            parent's; the kept weights are copied into smaller tensors (per-layer feed-forward widths, ffn_dims) and \
            the second half fine-tunes them by distillation from the parent. Convolution channels and attention heads \
            are not pruned. The folder loads with classify, detect, eval-kws and inspect; its config.json names its \
            parent (compressed_from) and the budget (compression_budget). Calibrated thresholds are not carried over.
            """)

    @Argument(help: "The keyword-spotting model folder to compress.")
    var model: String

    @Option(help: "The new model folder.")
    var out: String

    @Option(help: "Multiply-adds budget as a share of the parent's, in (0, 1].")
    var budget: Double

    @Option(parsing: .upToNextOption, help: "Speech Commands folders whose train splits give the clips (no labels are used).")
    var data: [String]

    @Option(help: "Optimizer steps: half for the gates, half for fine-tuning.")
    var steps: Int = 400

    @Option(help: "Clips per step.")
    var batchSize: Int = 32

    @Option(help: "Training clips held in memory.")
    var clips: Int = 1024

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @OptionGroup var threading: ThreadOptions

    var settings: CompressionSettings {
        CompressionSettings(budget: budget, steps: steps, batchSize: batchSize, clips: clips, seed: seed)
    }

    mutating func validate() throws {
        guard !data.isEmpty else { throw ValidationError("give --data SPEECH_COMMANDS_DIR (one or more)") }
        try OptionBounds.check("--steps", steps, 2...10_000_000)
        try OptionBounds.check("--batch-size", batchSize, 1...4_096)
        try OptionBounds.check("--clips", clips, 1...1_000_000)
        do { try settings.validate() } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        threading.apply()
        let parent = try KeywordSpotter.loadModel(directory: model)
        let parentName = (URL(fileURLWithPath: model).standardizedFileURL.path as NSString).lastPathComponent
        let features = try KWSCompressor.trainingFeatures(data: data, configuration: parent.configuration, count: clips, seed: seed)
        Console.error("compress: \(features.shape[0]) clips; parent \(parent.configuration.multiplyAccumulatesPerWindow) multiply-adds per window, budget \(budget)")
        let bar = ProgressBar(label: "compress", unit: "steps")
        let result = try KWSCompressor.compress(parent: parent, parentName: parentName, features: features, settings: settings) { phase, done, total, loss in
            bar.update(done: done, total: total, extra: String(format: "%@ loss %.4f", phase, loss))
        }
        try AtomicDirectory.write(out) { directory in
            try KeywordSpotter.save(result.model, to: directory, metadata: ["compressed_from": parentName])
        }
        let c = result.model.configuration
        try Console.line(String(
            format: "%d -> %d multiply-adds per window (%.3f of the parent's; budget %.3f); %d layers, ffn %@, bottleneck %d; %.1f%% agreement with the parent; wrote %@",
            result.parentMultiplyAccumulates, result.multiplyAccumulates, Double(result.multiplyAccumulates) / Double(result.parentMultiplyAccumulates),
            budget, c.layers, (c.feedForwardDimensions ?? []).map(String.init).joined(separator: ","), c.bottleneckDimension, result.agreement * 100, out))
    }
}
