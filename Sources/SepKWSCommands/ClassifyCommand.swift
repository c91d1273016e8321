import ArgumentParser
import AudioIO
import Foundation
import Streaming
import TensorCore
import KeywordSpotting


/// A JSON string literal (quotes, backslashes and control characters escaped; slashes kept).
func jsonString(_ text: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
}

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

    @Flag(help: "One JSON object per file and line: {\"file\": ..., \"label\": ..., \"score\": ...}.")
    var json = false

    @OptionGroup var threading: ThreadOptions

    mutating func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one audio file") }
    }

    func run() throws {
        Threading.setThreads(threading.threads)
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
            let prediction = spotter.classify(window)
            let score = String(format: "%.4f", prediction.score)
            if json {
                try Console.line("{\"file\": \(jsonString(file)), \"label\": \(jsonString(prediction.label)), \"score\": \(score)}")
            } else {
                try Console.line("\(file)\t\(prediction.label)\t\(score)")
            }
        }
        if failed > 0 { throw CommandFailure.someInputsFailed(failed: failed, total: files.count) }
    }
}
