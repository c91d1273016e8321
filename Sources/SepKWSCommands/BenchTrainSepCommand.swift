import ArgumentParser
import AudioDatasets
import Foundation
import NN
import Separation
import Streaming
import TensorCore
import Training

/// `sepkws bench train-sep`: steps per second of one MossFormer2 training step (forward, PIT negative SI-SNR,
/// backward, gradient clipping, AdamW) on random data, with the forward / backward / update split; with `--augment`,
/// also the cost of `train-sep --augment` per batch.
struct BenchTrainSep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-sep",
        abstract: "Training steps per second of MossFormer2 on random audio (forward, PIT SI-SNR, backward, AdamW).")

    @Option(help: "config.json with the sizes (reference names); default: the shipped separator's (the reference's full model, 55 M parameters, needs over 20 GB at the default batch: pass its config.json to time it).")
    var config: String?

    @Option(help: "Mixtures per batch.")
    var batchSize = 4

    @Option(help: "Seconds per training crop.")
    var cropSeconds = 2.0

    @Option(help: "Timed steps; the median is reported (after one untimed warm-up step).")
    var runs = 5

    @Flag(help: "Also time the training augmentation of a batch (train-sep --augment's defaults, every part but noise on every example, noise alone).")
    var augment = false

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        guard (1...64).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 64") }
        guard cropSeconds > 0, cropSeconds <= 60 else { throw ValidationError("--crop-seconds must be in (0, 60]") }
        guard (1...1000).contains(runs) else { throw ValidationError("--runs must be 1 to 1000") }
    }

    func run() throws {
        threading.apply()
        let shipped = ModelLocator.shipped(ModelLocator.defaultSeparator).map { ($0 as NSString).appendingPathComponent("config.json") }
        let configuration = try (config ?? shipped).map { try MossFormer2Configuration.load(contentsOf: $0) } ?? MossFormer2Configuration()
        let timing = try SeparationTrainingBenchmark.steps(configuration: configuration, batchSize: batchSize, cropSeconds: cropSeconds, runs: runs)
        let (forward, backward, update, total, losses) = (timing.forward, timing.backward, timing.update, timing.total, timing.losses)
        let samples = Int(cropSeconds * Double(configuration.sampleRate)), speakers = configuration.numSpks
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        let c = configuration
        try Console.line("system: \(Threading.activeProcessorCount) cores; OpenBLAS \(Threading.blasDescription); \(threading.threads) thread(s)")
        try Console.line("train-sep: MossFormer2 N=\(c.encoderEmbeddingDim) D=\(c.mossformerSequenceDim) R=\(c.numMossformerLayer) F=\(c.fsmnInnerChannels) Q=\(c.queryKeyDim) g=\(c.groupSize), \(timing.parameters) parameters; batch \(batchSize) x \(cropSeconds) s at \(c.sampleRate) Hz")
        try Console.line(String(format: "  median step %.3f s over %d runs (min %.3f) = %.3f steps/s; forward %.3f s, backward %.3f s, clip+AdamW %.3f s",
                                median(total), runs, total.min()!, 1 / median(total), median(forward), median(backward), median(update)))
        try Console.line(String(format: "  loss %.3f -> %.3f; peak resident memory %.0f MiB", losses.first!, losses.last!, ResourceUsage.peakResidentMiB))
        if augment { try timeAugmentation(sampleRate: c.sampleRate, speakers: speakers, samples: samples, step: median(total)) }
    }

    /// Times ``SourceAugmenter`` on batches of noise crops (the cost does not depend on the content): its defaults
    /// (random parts, so the mean over many batches), every part but noise on every example (the worst case of the
    /// defaults' parts), and noise alone on every example (off by default).
    private func timeAugmentation(sampleRate: Int, speakers: Int, samples: Int, step: Double) throws {
        let timings = try SeparationTrainingBenchmark.augmentation(
            sampleRate: sampleRate, speakers: speakers, samples: samples, batchSize: batchSize, batches: 10 * runs)
        for (name, seconds) in timings {
            let mean = seconds.reduce(0, +) / Double(seconds.count)
            try Console.line(String(format: "  augmentation (%@): %.1f ms per batch on average over %d batches (max %.1f ms) = %.1f%% of the median step",
                                    name, mean * 1e3, seconds.count, seconds.max()! * 1e3, 100 * mean / step))
        }
    }
}
