import ArgumentParser
import Foundation
import Separation
import TensorCore

/// `sepkws bench separate`: real-time factor, achieved GFLOP/s and peak memory of the separator in inference mode
/// (random weights unless `--model` is given).
struct BenchSeparate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "separate", abstract: "Time MossFormer2 inference on random audio: RTF, GFLOP/s, peak memory.")

    @Option(help: "config.json with the sizes (reference names); default: the reference's full model.")
    var config: String?

    @Option(help: "A model directory to time instead of random weights.")
    var model: String?

    @Option(help: "Seconds of audio per run.")
    var seconds = 4.0

    @Option(help: "Timed runs; the median is reported.")
    var runs = 7

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
        guard (1...100).contains(runs) else { throw ValidationError("--runs must be 1 to 100") }
    }

    func run() throws {
        threading.apply()
        let separator: MossFormer2Separator
        if let model {
            separator = try MossFormer2Separator(directory: model)
        } else {
            let configuration = try config.map { try MossFormer2Configuration.load(contentsOf: $0) } ?? MossFormer2Configuration()
            separator = try MossFormer2Separator(configuration: configuration)
        }
        let c = separator.configuration
        let samples = Int(seconds * Double(c.sampleRate))
        var rng = SplitMix64(seed: 1)
        let mixture = (0..<samples).map { _ in 0.1 * rng.nextNormal() }
        let workspace = separator.makeWorkspace()
        _ = separator.separate(mixture, workspace: workspace)   // warm-up
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now()
            _ = separator.separate(mixture, workspace: workspace)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        }
        let median = times.sorted()[times.count / 2]
        let flops = 2 * c.multiplyAdds(samples: samples)
        try Console.line("MossFormer2 N=\(c.encoderEmbeddingDim) D=\(c.mossformerSequenceDim) R=\(c.numMossformerLayer) C=\(c.numSpks) at \(c.sampleRate) Hz, \(separator.parameterCount) parameters, \(threading.threads) thread(s)")
        try Console.line(String(format: "  %.1f s of audio: median %.3f s over %d runs (min %.3f); real-time factor %.3f; %.1f GFLOP/s (%.1f GFLOP per second of audio)",
                                seconds, median, runs, times.min()!, median / seconds, flops / median / 1e9, flops / seconds / 1e9))
        try Console.line(String(format: "  peak resident memory %.0f MiB", ResourceUsage.peakResidentMiB))
    }
}
