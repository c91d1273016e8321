import ArgumentParser
import AudioIO
import Foundation
import Separation
import Streaming
import TensorCore

/// `sepkws bench separate-long`: the `separate` pipeline (``FileSeparator``) on one long file, for its real-time factor and its
/// peak memory (which must not grow with the length).
struct BenchSeparateLong: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "separate-long",
        abstract: "Separate a long generated file as `sepkws separate` does (default 1 hour): real-time factor and peak memory.")

    @Option(help: "Model folder (default: the shipped separator).")
    var model: String?

    @Option(help: "Length of the generated mixture (seconds).")
    var seconds = 3_600.0

    @Option(help: "Rate of the generated file (Hz); the separator resamples it to its own.")
    var rate = 16_000

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        guard seconds >= 1, seconds <= 86_400 else { throw ValidationError("--seconds must be in [1, 86400]") }
        try OptionBounds.check("--rate", rate, 1_000...384_000, unit: "Hz")
    }

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sepkws-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Two seeded "talkers" (tone sequences with different pitch ranges) in noise, written block by block.
        let path = (folder as NSString).appendingPathComponent("long.wav")
        let writer = try AudioFileWriter(path: path, format: .wav16, sampleRate: rate, channelCount: 1)
        var rng = SplitMix64(seed: 4)
        let total = Int(seconds * Double(rate))
        var written = 0
        while written < total {
            let n = min(65_536, total - written)
            let block = (0..<n).map { i -> Float in
                let t = Double(written + i) / Double(rate)
                let a = 0.15 * sin(2 * .pi * (140 + 40 * sin(0.7 * t)) * t), b = 0.12 * sin(2 * .pi * (230 + 60 * sin(0.3 * t + 1)) * t)
                return Float(a * (sin(3 * t) > 0 ? 1 : 0.2) + b * (sin(2.2 * t) > 0 ? 1 : 0.2)) + 0.01 * rng.nextNormal()
            }
            try writer.write(AudioBuffer(sampleRate: rate, mono: block))
            written += n
        }
        try writer.finish()
        let baseline = ResourceUsage.peakResidentMiB
        threading.apply()
        let directory = try model ?? ModelLocator.separator(forInputRate: rate) ?? {
            throw SeparationError.noModel(hint: "none is shipped in Models/ (searched \(ModelLocator.searchPath.joined(separator: ", "))); pass --model DIR")
        }()
        let separator = try MossFormer2Separator(directory: directory)
        let files = FileSeparator(
            separator: separator,
            plan: try ChunkPlan(windowSeconds: 4, overlapSeconds: 1, sampleRate: separator.configuration.sampleRate),
            bothPolarities: separator.configuration.bothPolarities ?? false)
        let stems = (1...separator.configuration.numSpks).map { (folder as NSString).appendingPathComponent("long_s\($0).wav") }
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try files.separate(file: path, to: stems, warn: Console.error)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try Console.line(String(format: "separate-long: %.0f s at %d Hz in %.1f s: real-time factor %.3f; peak resident memory %.0f MiB (%.0f MiB before separating)",
                                seconds, rate, elapsed, elapsed / seconds, ResourceUsage.peakResidentMiB, baseline))
    }
}
