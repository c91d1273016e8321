import ArgumentParser
import DSP
import Foundation
import TensorCore

/// `sepkws bench features`: STFT + log-mel throughput over a long signal, streamed in blocks (memory does not grow
/// with the length), against a bare FFTW pass over the same frames measured in the same run.
struct BenchFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Time STFT + log-mel over a long 16 kHz signal (median of several runs) and report peak memory.")

    @Option(help: "Length of the signal (seconds of 16 kHz audio).")
    var seconds = 3600.0

    @Option(help: "Number of timed runs; the median is reported.")
    var runs = 5

    @OptionGroup var threading: ThreadOptions

    @Option(help: "What to compute per frame: stft (magnitude), logmel or mfcc.")
    var kind: FeatureKind = .logmel

    mutating func validate() throws {
        guard seconds > 0, seconds <= 86_400 else { throw ValidationError("--seconds must be in (0, 86400]") }
        guard (1...100).contains(runs) else { throw ValidationError("--runs must be 1 to 100") }
    }

    func run() throws {
        let configuration = FeatureConfiguration()
        let samples = Int(seconds * Double(configuration.sampleRate))
        let block = 16_000 * 60
        // One block of noise-like signal, reused: the work per frame does not depend on the values.
        var generator = SystemRandomNumberGenerator()
        let signal = (0..<block).map { _ in Float.random(in: -0.3...0.3, using: &generator) }
        var times = [Double](), frames = 0, checksum: Float = 0
        for _ in 0..<runs {
            let extractor = try FeatureExtractor(kind: kind, configuration: configuration, threads: threading.threads)
            let start = DispatchTime.now()
            var pushed = 0
            while pushed < samples {
                let count = min(block, samples - pushed)
                extractor.push(count == block ? signal : Array(signal[0..<count])) { checksum += $0[0] }
                pushed += count
            }
            extractor.finish { checksum += $0[0] }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
            frames = extractor.framesEmitted
        }
        let median = times.sorted()[times.count / 2]
        try Console.line(String(format: "features %@: %.0f s of 16 kHz audio, %d frames, %d thread(s)", kind.rawValue, seconds, frames, threading.threads))
        try Console.line(String(format: "  median %.3f s over %d runs (min %.3f, max %.3f); real-time factor %.2e; %.2f us/frame",
            median, runs, times.min()!, times.max()!, median / seconds, median / Double(frames) * 1e6))
        try Console.line(String(format: "  peak resident memory %.1f MiB (checksum %.3g)", ResourceUsage.peakResidentMiB, checksum))
    }
}
