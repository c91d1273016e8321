import ArgumentParser
import AudioIO
import Foundation

/// `sepkws info FILE...`: what each file holds, and its level.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show format, subtype, rate, channels, length, peak and RMS level of audio files.")

    @Argument(help: "Audio files (any format libsndfile reads).")
    var files: [String]

    @Flag(help: "Print one JSON object per file, one per line.")
    var json = false

    mutating func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one audio file") }
    }

    func run() throws {
        var failed = 0
        for file in files {
            do {
                let report = try AudioFileReport(path: file)
                try Console.line(json ? report.jsonLine : report.text)
            } catch let error as AudioIOError {
                Console.error("error: \(error)")
                failed += 1
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
