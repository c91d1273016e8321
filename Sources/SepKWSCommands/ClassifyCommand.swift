import ArgumentParser
import AudioIO
import Foundation
import TensorCore
import KeywordSpotting

/// Where the shipped models are found: `$SEPKWS_KWS_MODEL` (a model folder), `$SEPKWS_MODELS/<name>`,
/// `./Models/<name>`, then `Models/<name>` beside the executable or in the package it was built in.
enum DefaultModels {
    /// The shipped 12-class keyword spotter, the default of `classify` and `detect`.
    static let keywordSpotter = "kws-cab-12"

    /// The folder of the default keyword spotter.
    /// - Throws: `KeywordSpottingError.modelDirectoryMissing` naming the places searched.
    static func keywordSpotterDirectory() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["SEPKWS_KWS_MODEL"], !path.isEmpty { return path }
        if let shipped = ModelLocator.shipped(keywordSpotter) { return shipped }
        throw KeywordSpottingError.modelDirectoryMissing(
            path: "\(keywordSpotter) (searched $SEPKWS_KWS_MODEL, $SEPKWS_MODELS, \(ModelLocator.searchPath.joined(separator: ", ")); give --model DIR)")
    }
}

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
