import AudioIO
import Foundation
import Separation
import Streaming
import TensorCore
import Testing
import TestSupport

/// Whole files separated in two passes: lengths, rates, scaling, reports and clean failures.
@Suite struct FileSeparatorTests {
    static func mixture(frames: Int, rate: Int) -> [Float] {
        var rng = SplitMix64(seed: 3)
        return (0..<frames).map { t in
            let x = Double(t) / Double(rate)
            return Float(0.2 * sin(2 * .pi * 180 * x) + 0.1 * sin(2 * .pi * 310 * x)) + 0.01 * rng.nextNormal()
        }
    }

    static func separator() throws -> MossFormer2Separator {
        try MossFormer2Separator(configuration: .tiny, dropout: 0, seed: 5)
    }

    @Test func stemsHaveTheInputsLengthAndRateAndTheReportAddsUp() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // 16 kHz input, an 8 kHz model: resampled there and back, cut or padded to the input's frame count.
        let input = dir.file("mix.wav"), frames = 16_000 + 37
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: Self.mixture(frames: frames, rate: 16_000)), to: input)
        let separator = try Self.separator()
        let files = FileSeparator(separator: separator, plan: try ChunkPlan(windowSeconds: 0.5, overlapSeconds: 0.125, sampleRate: 8_000))
        let stems = [dir.file("mix_s1.wav"), dir.file("mix_s2.wav")]
        let report = try files.separate(file: input, to: stems)
        for stem in stems {
            let buffer = try AudioFileReader.read(path: stem)
            #expect(buffer.sampleRate == 16_000 && buffer.frameCount == frames)
            #expect(!FileManager.default.fileExists(atPath: stem + ".stage.wav"))
        }
        #expect(abs(report.seconds - Double(frames) / 16_000) < 0.01)
        #expect(report.levels.count == 2 && report.realTimeFactor > 0 && report.stoppedBy == nil)
    }

    /// What `eval-sep` scores: a mixture held in memory, longer than one window, separates exactly as the same samples
    /// in a file do, at the mixture's rate and length, and no temporary file is left.
    @Test func aMixtureInMemorySeparatesAsTheSameFileDoes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let mixture = Self.mixture(frames: 16_000 + 37, rate: 16_000)
        let files = FileSeparator(separator: try Self.separator(), plan: try ChunkPlan(windowSeconds: 0.5, overlapSeconds: 0.125, sampleRate: 8_000),
                                  format: .wavFloat)
        let input = dir.file("mix.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 16_000, mono: mixture), to: input, format: .wavFloat)
        let stems = [dir.file("mix_s1.wav"), dir.file("mix_s2.wav")]
        _ = try files.separate(file: input, to: stems)
        let fromFile = try stems.map { try AudioFileReader.read(path: $0).channels[0] }
        let scratch = dir.file("scratch")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let inMemory = try files.separate(mixture, sampleRate: 16_000, temporaryDirectory: scratch)
        #expect(inMemory.count == 2 && inMemory.allSatisfy { $0.count == mixture.count })
        #expect(inMemory == fromFile)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
        #expect(!PartialFiles.registered.contains { $0.hasPrefix(scratch) })
    }

    @Test(arguments: StemScaling.allCases)
    func everyScalingWritesUnclippedStemsWhoseLevelsAreReported(_ scaling: StemScaling) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let input = dir.file("mix.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: Self.mixture(frames: 8_000, rate: 8_000).map { $0 * 4 }), to: input)
        var files = FileSeparator(separator: try Self.separator(), plan: try ChunkPlan(windowSeconds: 0.5, overlapSeconds: 0.125, sampleRate: 8_000))
        files.scaling = scaling
        files.format = .wavFloat
        var warnings: [String] = []
        let stems = [dir.file("a.wav"), dir.file("b.wav")]
        let report = try files.separate(file: input, to: stems) { warnings.append($0) }
        for (stem, level) in zip(stems, report.levels) {
            let samples = try AudioFileReader.read(path: stem).channels[0]
            #expect(samples.allSatisfy { abs($0) <= 1 })
            let rms = (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
            if let level { #expect(abs(20 * log10(rms) - level) < 0.5, "\(scaling): \(level) dBFS reported") }
        }
        #expect(warnings.allSatisfy { $0.contains("turned down") })
    }

    @Test func anEmptyInputIsAnErrorThatLeavesNoFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let input = dir.file("empty.wav")
        try AudioFileWriter.write(AudioBuffer(sampleRate: 8_000, mono: []), to: input)
        let files = FileSeparator(separator: try Self.separator(), plan: try ChunkPlan(windowSeconds: 0.5, overlapSeconds: 0.125, sampleRate: 8_000))
        #expect(throws: AudioIOError.noAudio(path: input)) { try files.separate(file: input, to: [dir.file("e_s1.wav"), dir.file("e_s2.wav")]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["empty.wav"])
    }
}
