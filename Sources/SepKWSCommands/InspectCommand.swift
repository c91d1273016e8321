import ArgumentParser
import Foundation
import KeywordSpotting
import Separation
import Streaming
import TensorCore

/// `sepkws inspect MODEL_DIR...`: what a model folder holds, read from its files alone (nothing is run).
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a model folder's kind, labels or speakers, rate, parameters, multiply-adds, element type, size and thresholds.",
        discussion: """
            macs_per_second is the multiply-adds of one second of audio: for a separator, one pass over one second \
            (polarity or shift averaging multiply it); for a keyword spotter, one 1 s window per detection hop at \
            detect's default hop (80 ms: 12.5 windows per second); macs_per_window gives the single window.
            """)

    @Argument(help: "Model folders (config.json + model.safetensors).")
    var models: [String]

    @Flag(help: "Print one JSON object per model, one per line.")
    var json = false

    mutating func validate() throws {
        if models.isEmpty { throw ValidationError("give at least one model folder") }
    }

    func run() throws {
        var failed = 0
        for model in models {
            do {
                let summary = try ModelSummary(directory: model)
                try Console.line(json ? summary.jsonLine() : summary.text)
            } catch {
                Console.error("error: \(error)")
                failed += 1
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
