import ArgumentParser
import Foundation
import KeywordSpotting
import Streaming
import TensorCore

/// `sepkws bench detect`: the streaming keyword detector fed hop by hop, as from a live pipe.
struct BenchDetect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Time streaming keyword detection hop by hop: CPU real-time factor, per-hop latency, memory over a long stream.")

    @Option(help: "Keyword model folder (default: the shipped one).")
    var model: String?

    @Option(help: "Seconds of audio to stream (28800 = 8 hours, for the memory check).")
    var seconds = 600.0

    @Option(help: "Milliseconds between windows (a multiple of 10).")
    var hopMs = 80

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        guard seconds >= 2, seconds <= 7 * 86_400 else { throw ValidationError("--seconds must be in [2, 604800]") }
        guard hopMs > 0, hopMs % 10 == 0, hopMs <= 1_000 else { throw ValidationError("--hop-ms \(hopMs): must be a multiple of 10 from 10 to 1000") }
    }

    func run() throws {
        let threads = threading.apply(default: 1)
        let spotter = try KeywordSpotter(directory: try model ?? DefaultModels.keywordSpotterDirectory())
        let rate = spotter.configuration.frontEnd.sampleRate, hop = hopMs * rate / 1_000
        let keywords = spotter.configuration.labels.indices.filter { !spotter.configuration.labels[$0].hasPrefix("_") }
        let settings = try DetectionSettings(
            keywords: keywords, thresholds: keywords.map { _ in 0.85 }, smoothingHops: 3, triggerCount: 2,
            refractoryHops: DetectionSettings.hops(milliseconds: 1_000, hop: hop, sampleRate: rate))
        let detector = try KeywordDetector(spotter: spotter, hop: hop, settings: settings)
        // Seeded noise with bursts of tones, one hop per push, made on the fly (nothing grows with the length).
        var rng = SplitMix64(seed: 9)
        var position = 0
        func nextBlock() -> [Float] {
            defer { position += hop }
            return (0..<hop).map { i in
                let t = Double(position + i) / Double(rate)
                let burst = t.truncatingRemainder(dividingBy: 3) < 0.6 ? 0.2 * sin(2 * .pi * (300 + 100 * (t / 3).rounded(.down).truncatingRemainder(dividingBy: 7)) * t) : 0
                return Float(burst) + 0.01 * rng.nextNormal()
            }
        }
        for _ in 0..<(2 * rate / hop) { _ = try detector.push(nextBlock()) }   // warm-up: the first windows
        let pushes = Int(seconds * Double(rate)) / hop
        var latencies = [Double](repeating: 0, count: pushes)
        var memory: [(Double, Double)] = [(0, ResourceUsage.residentMiB)]
        var events = 0
        let cpuStart = ResourceUsage.processorSeconds, wallStart = DispatchTime.now().uptimeNanoseconds
        for p in 0..<pushes {
            let block = nextBlock()
            let start = DispatchTime.now().uptimeNanoseconds
            events += try detector.push(block).count
            latencies[p] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if (p + 1) % max(1, pushes / 8) == 0 { memory.append((Double((p + 1) * hop) / Double(rate), ResourceUsage.residentMiB)) }
        }
        let cpu = ResourceUsage.processorSeconds - cpuStart, wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart) / 1e9
        let audio = Double(pushes * hop) / Double(rate)
        latencies.sort()
        func percentile(_ q: Double) -> Double { latencies[min(latencies.count - 1, Int(q * Double(latencies.count)))] }
        try Console.line(String(format: "detect: %@ (%d parameters), %.0f s of audio in %d hops of %d ms, %d thread(s), %d events",
                                spotter.configuration.modelType, spotter.model.parameterCount, audio, pushes, hopMs, threads, events))
        try Console.line(String(format: "  CPU %.2f s: real-time factor %.4f (%.2f%% of one core); wall %.2f s", cpu, cpu / audio, 100 * cpu / audio, wall))
        try Console.line(String(format: "  per-hop latency (features + model + trigger): median %.3f ms, p99 %.3f ms, max %.3f ms",
                                percentile(0.5), percentile(0.99), latencies.last!))
        try Console.line("  resident memory (MiB) at stream time: " + memory.map { String(format: "%.0f s %.1f", $0.0, $0.1) }.joined(separator: ", "))
        try Console.line(String(format: "  growth after warm-up %.1f MiB; peak %.1f MiB", memory.last!.1 - memory[0].1, ResourceUsage.peakResidentMiB))
    }
}
