import ArgumentParser
import AudioDatasets
import Foundation
import Streaming
import KeywordSpotting
import NN
import TensorCore
import Training

/// `sepkws bench kws`: training and inference speed of the keyword spotter (synthetic audio, no files read).
struct BenchKWS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kws",
        abstract: "Keyword spotter speed: pretraining and fine-tuning steps per second, classification throughput, real-time factor.")

    @Option(help: "Model folder to take the sizes from (default: the shipped model if found, else the default sizes).")
    var model: String?

    @Flag(help: "Use the paper's sizes (width 320, FFN 1280, bottleneck 800).")
    var paperSize = false

    @Option(help: "Training steps timed per measurement (after one warm-up step).")
    var steps = 10

    @Option(help: "Fine-tuning batch (pretraining uses half as many view pairs).")
    var batchSize = 64

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        guard (1...10_000).contains(steps) else { throw ValidationError("--steps must be 1 to 10000") }
        guard (2...4096).contains(batchSize) else { throw ValidationError("--batch-size must be 2 to 4096") }
    }

    func run() throws {
        threading.apply()
        var config = KWSConfiguration(labels: KWSConfiguration.twelveLabels)
        if paperSize {
            config = .paper(labels: KWSConfiguration.twelveLabels)
        } else if let directory = model ?? (try? DefaultModels.keywordSpotterDirectory()) {
            config = try KeywordSpotter.loadConfiguration(directory: directory)
        }
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":").last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        try Console.line("system: \(cpu), \(Threading.activeProcessorCount) cores; OpenBLAS \(Threading.blasDescription); \(threading.threads) thread(s)")
        let classifier = KeywordClassifier(configuration: config, seed: 1)
        try Console.line(String(format: "model: width %d, %d layers, FFN %d, bottleneck %d; %d parameters; %.2f M MACs per 1 s window",
                                config.modelDimension, config.layers, config.feedForwardDimension, config.bottleneckDimension,
                                classifier.parameterCount, Double(config.multiplyAccumulatesPerWindow) / 1e6))

        let bench = try KeywordTrainingBenchmark(configuration: config, classifier: classifier, batchSize: batchSize)
        let fineTuneSeconds = try bench.fineTuning(steps: steps)
        try Console.line(String(format: "fine-tuning: %.2f steps/s (batch %d, %.0f windows/s)", Double(steps) / fineTuneSeconds, batchSize,
                                Double(steps * batchSize) / fineTuneSeconds))
        let pretrainSeconds = try bench.pretraining(steps: steps)
        try Console.line(String(format: "pretraining: %.2f steps/s (%d view pairs, masked-frame recipe)", Double(steps) / pretrainSeconds, batchSize / 2))
        let (perWindow, batchRate) = try bench.classification()
        try Console.line(String(format: "classification: %.0f windows/s one at a time (%.2f ms per 1 s window, real-time factor %.4f), %.0f windows/s in batches of 64",
                                1 / perWindow, perWindow * 1000, perWindow, batchRate))
    }
}
