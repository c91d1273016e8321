import ArgumentParser
import Foundation
import NN
import Separation
import TensorCore

/// `sepkws bench train-sep`: steps per second of one MossFormer2 training step (forward, PIT negative SI-SNR,
/// backward, gradient clipping, AdamW) on random data, with the forward / backward / update split.
struct BenchTrainSep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-sep",
        abstract: "Training steps per second of MossFormer2 on random audio (forward, PIT SI-SNR, backward, AdamW).")

    @Option(help: "config.json with the sizes (reference names); default: the reference's full model.")
    var config: String?

    @Option(help: "Mixtures per batch.")
    var batchSize = 4

    @Option(help: "Seconds per training crop.")
    var cropSeconds = 2.0

    @Option(help: "Timed steps; the median is reported (after one untimed warm-up step).")
    var runs = 5

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        guard (1...64).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 64") }
        guard cropSeconds > 0, cropSeconds <= 60 else { throw ValidationError("--crop-seconds must be in (0, 60]") }
        guard (1...1000).contains(runs) else { throw ValidationError("--runs must be 1 to 1000") }
    }

    func run() throws {
        Threading.setBLASThreads(threading.threads)
        Threading.setElementwiseThreads(threading.threads)
        let configuration = try config.map { try MossFormer2Configuration.load(contentsOf: $0) } ?? MossFormer2Configuration()
        let model = try MossFormer2Separator(configuration: configuration, dropout: 0.1, seed: 1)
        model.setTraining(true)
        let optimizer = Adam.adamW(parameters: model.namedParameters(), learningRate: 1e-4)
        let samples = Int(cropSeconds * Double(configuration.sampleRate))
        let speakers = configuration.numSpks
        var rng = SplitMix64(seed: 7)
        let targets = Tensor.randomNormal([batchSize, speakers, samples], using: &rng) * 0.1
        let mixture = targets.sum(axis: 1)                                        // [B, T]

        var forward: [Double] = [], backward: [Double] = [], update: [Double] = [], total: [Double] = []
        var losses: [Float] = []
        for run in 0...runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            optimizer.zeroGrad()
            let estimates = model(mixture).transposed(0, 1)                        // [B, C, T]
            let loss = PermutationInvariantLoss.negativeSISNR(estimates: estimates, targets: targets).loss
            let t1 = DispatchTime.now().uptimeNanoseconds
            loss.backward()
            let t2 = DispatchTime.now().uptimeNanoseconds
            clipGradNorm(optimizer.parameters, maxNorm: 5)
            optimizer.step()
            let t3 = DispatchTime.now().uptimeNanoseconds
            losses.append(loss.item)
            if run == 0 { continue }   // warm-up
            forward.append(Double(t1 - t0) / 1e9)
            backward.append(Double(t2 - t1) / 1e9)
            update.append(Double(t3 - t2) / 1e9)
            total.append(Double(t3 - t0) / 1e9)
        }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        let c = configuration
        try Console.line("system: \(Threading.activeProcessorCount) cores; OpenBLAS \(Threading.blasDescription); \(threading.threads) thread(s)")
        try Console.line("train-sep: MossFormer2 N=\(c.encoderEmbeddingDim) D=\(c.mossformerSequenceDim) R=\(c.numMossformerLayer) F=\(c.fsmnInnerChannels) Q=\(c.queryKeyDim) g=\(c.groupSize), \(model.parameterCount) parameters; batch \(batchSize) x \(cropSeconds) s at \(c.sampleRate) Hz")
        try Console.line(String(format: "  median step %.3f s over %d runs (min %.3f) = %.3f steps/s; forward %.3f s, backward %.3f s, clip+AdamW %.3f s",
                                median(total), runs, total.min()!, 1 / median(total), median(forward), median(backward), median(update)))
        try Console.line(String(format: "  loss %.3f -> %.3f; peak resident memory %.0f MiB", losses.first!, losses.last!, ResourceUsage.peakResidentMiB))
    }
}
