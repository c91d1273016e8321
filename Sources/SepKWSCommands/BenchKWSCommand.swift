import ArgumentParser
import AudioDatasets
import Foundation
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
        Threading.setThreads(threading.threads)
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

        let rate = config.frontEnd.sampleRate, length = config.frontEnd.clipSamples
        let bank = NoiseBank.synthetic(sampleRate: rate, seconds: 5, seed: 1)
        let augmenter = try WaveformAugmenter(settings: AugmentationSettings(), sampleRate: rate, noises: bank)
        let frontEnd = try LogMelFrontEnd(config.frontEnd)
        var rng = SplitMix64(seed: 7)
        let sources = (0..<8).map { _ in (0..<(length * 2)).map { i in Float(sin(Double(i) * 0.03)) * 0.2 + 0.02 * rng.nextNormal() } }
        func windows(_ count: Int) throws -> [[Float]] {
            try (0..<count).map { i in try augmenter.view(of: sources[i % 8], center: length, length: length, using: &rng) }
        }
        func timed(_ body: () throws -> Void) rethrows -> Double {
            let start = Date()
            try body()
            return Date().timeIntervalSince(start)
        }

        // Fine-tuning: augmentation + front end + forward/backward + AdamW (no file reading).
        let adam = Adam.adamW(parameters: classifier.namedParameters(), learningRate: 1e-3)
        let targets = (0..<batchSize).map { $0 % config.classCount }
        func fineTune() throws {
            _ = fineTuningStep(network: classifier, optimizer: adam, features: frontEnd.batch(try windows(batchSize)), targets: targets,
                               labelSmoothing: 0.1, learningRate: 1e-3, dropoutSeed: rng.next())
        }
        try fineTune()
        let fineTuneSeconds = try timed { for _ in 0..<steps { try fineTune() } }
        try Console.line(String(format: "fine-tuning: %.2f steps/s (batch %d, %.0f windows/s)", Double(steps) / fineTuneSeconds, batchSize,
                                Double(steps * batchSize) / fineTuneSeconds))

        // Pretraining, `sepkws pretrain`'s default recipe: masked views, masked-frame reconstruction.
        let pretrainer = KWSPretrainingModel(configuration: config, seed: 1, frameDecoder: true)
        let pretrainAdam = Adam.adamW(parameters: pretrainer.namedParameters(), learningRate: 1e-3)
        let masking = SpectrogramMasking()
        func pretrain() throws {
            let pairs = batchSize / 2
            let (view1, view2) = (frontEnd.batch(try windows(pairs)), frontEnd.batch(try windows(pairs)))
            let unmasked = masking.apply(toPair: view1, view2, fill: config.inputMean, keepingTarget: true, using: &rng)
            _ = pretrainingStep(network: pretrainer, optimizer: pretrainAdam, view1: view1, view2: view2, unmasked: unmasked,
                                weights: .maskedFramesOnly, learningRate: 1e-3, dropoutSeed: rng.next())
        }
        try pretrain()
        let pretrainSeconds = try timed { for _ in 0..<steps { try pretrain() } }
        try Console.line(String(format: "pretraining: %.2f steps/s (%d view pairs, masked-frame recipe)", Double(steps) / pretrainSeconds, batchSize / 2))

        // Classification: front end + model, one window at a time (streaming) and in batches of 64.
        let spotter = try KeywordSpotter(model: classifier)
        let clips = try windows(64)
        _ = spotter.classify(clips[0])
        var singles = 0
        let singleSeconds = timed { while singles < 200 { _ = spotter.classify(clips[singles % 64]); singles += 1 } }
        _ = spotter.classify(clips)
        let batchSeconds = timed { for _ in 0..<5 { _ = spotter.classify(clips) } }
        let perWindow = singleSeconds / Double(singles)
        try Console.line(String(format: "classification: %.0f windows/s one at a time (%.2f ms per 1 s window, real-time factor %.4f), %.0f windows/s in batches of 64",
                                Double(singles) / singleSeconds, perWindow * 1000, perWindow, 5 * 64 / batchSeconds))
    }
}
