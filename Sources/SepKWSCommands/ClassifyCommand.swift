import ArgumentParser
import AudioIO
import Foundation
import Streaming
import TensorCore
import KeywordSpotting

/// `sepkws classify FILE...`: the most probable keyword label of each file.
struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify audio files with the keyword spotter: the top label and its probability per file.",
        discussion: """
            Each file (any format and rate) is resampled to 16 kHz and mixed to mono; a file longer than 1 s is \
            classified on its loudest 1 s window, a shorter one is zero-padded. Labels are spelled as in Speech \
            Commands (yes, no, ..., _unknown_, _silence_).
            """)

    @Argument(help: "Audio files.")
    var files: [String]

    @Option(help: "Model folder (config.json + model.safetensors); default: the shipped \(DefaultModels.keywordSpotter).")
    var model: String?

    @Flag(help: "One JSON object per file and line: {\"file\":...,\"label\":...,\"score\":...} (keys sorted).")
    var json = false

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one audio file") }
    }

    func run() throws {
        threading.apply()
        let spotter = try KeywordSpotter(directory: try model ?? DefaultModels.keywordSpotterDirectory())
        let frontEnd = spotter.configuration.frontEnd
        var failed = 0
        for file in files {
            let window: [Float]
            do {
                let samples = try MonoReader(path: file, sampleRate: frontEnd.sampleRate).readAll()
                window = KeywordSpotter.loudestWindow(of: samples, length: frontEnd.clipSamples, hop: frontEnd.hopLength)
            } catch {
                Console.error("error: \(error)")
                failed += 1
                continue
            }
            let line = KeywordClassificationLine(file: file, prediction: spotter.classify(window))
            try Console.line(json ? try line.json() : line.text)
        }
        if failed > 0 { throw CommandFailure.someInputsFailed(failed: failed, total: files.count) }
    }
}
