import ArgumentParser
import Foundation
import KeywordSpotting
import Separation
import Streaming

/// The options `detect` and `eval-stream` share: the keyword model, the watched keywords and thresholds, the hop,
/// the event rules, and separation before spotting.
struct DetectionOptions: ParsableArguments {
    @Option(help: "Keyword model folder (config.json + model.safetensors); default: the shipped \(DefaultModels.keywordSpotter).")
    var model: String?

    @Option(help: "Keywords to watch, comma-separated, spelled as the model's labels (default: every label but _unknown_ and _silence_).")
    var keywords: String?

    @Option(help: "Threshold on the smoothed probability: one for all, per keyword (yes=0.99,stop=0.9999), or both (0.99,yes=0.9995). Default: the model's stored thresholds (config.json `thresholds`: calibrated per keyword to a false-accept rate on a held-out stream by `sepkws calibrate` or `train-kws --words`; the shipped kws-cab-12 has them, so a threshold means about the same false-accept rate for every calibrated model), else \(DetectionOptions.defaultThreshold).")
    var threshold: String?

    /// The threshold of a keyword that neither `--threshold` nor the model sets.
    static let defaultThreshold = DetectionSettings.defaultThreshold

    @Option(help: "Milliseconds between windows (a multiple of 10).")
    var hopMs = 80

    @Option(help: "Moving-average smoothing of each keyword's probability (ms; rounded to whole hops, at least one).")
    var smoothingMs = 240

    @Option(help: "Consecutive hops the smoothed probability must stay above the threshold before an event fires.")
    var triggerCount = 2

    @Option(help: "Quiet time after an event, for every keyword (ms), so that one spoken keyword fires once.")
    var refractoryMs = 500

    @Flag(help: "Separate the talkers first (the shipped separator, or --separator-model) and spot keywords in each; events say which talker.")
    var separate = false

    @Option(help: "Separation model folder for --separate (default: the shipped \(ModelLocator.defaultSeparator)).")
    var separatorModel: String?

    /// The separator's windows, with --separate.
    @OptionGroup var windows: SeparationWindowOptions

    mutating func validate() throws {
        guard hopMs > 0, hopMs % 10 == 0, hopMs <= 1_000 else { throw ValidationError("--hop-ms \(hopMs): must be a multiple of 10 from 10 to 1000") }
        try OptionBounds.check("--smoothing-ms", smoothingMs, 0...60_000, unit: "ms")
        try OptionBounds.check("--refractory-ms", refractoryMs, 0...3_600_000, unit: "ms")
        guard (1...100).contains(triggerCount) else { throw ValidationError("--trigger-count \(triggerCount): must be 1 to 100") }
    }

    /// Loads the keyword model.
    func loadSpotter() throws -> KeywordSpotter {
        try KeywordSpotter(directory: try model ?? DefaultModels.keywordSpotterDirectory())
    }

    /// The thresholds in effect, for reports: `--threshold` as given, or `stored` / `default`.
    func thresholdDescription(for spotter: KeywordSpotter) -> String {
        threshold ?? (spotter.configuration.thresholds == nil ? "\(Self.defaultThreshold)" : "the model's stored thresholds")
    }

    /// The hop in samples at the model's rate.
    func hop(for spotter: KeywordSpotter) -> Int { hopMs * spotter.configuration.frontEnd.sampleRate / 1_000 }

    /// The event rules for `spotter`'s labels.
    /// - Throws: `ValidationError` for an unknown keyword or a malformed threshold.
    func settings(for spotter: KeywordSpotter) throws -> DetectionSettings {
        do {
            return try DetectionSettings.resolve(
                for: spotter, keywords: keywords, thresholds: threshold, hopMs: hopMs, smoothingMs: smoothingMs,
                triggerCount: triggerCount, refractoryMs: refractoryMs)
        } catch let error as StreamingError {
            throw ValidationError(error.description)
        }
    }

    /// The separation stage for `--separate`, or nil.
    func separation() throws -> TalkerSeparation? {
        guard separate else { return nil }
        let directory = try separatorModel ?? ModelLocator.shipped(ModelLocator.defaultSeparator) ?? {
            throw SeparationError.noModel(hint: "none is shipped in Models/; pass --separator-model DIR")
        }()
        let separator = try MossFormer2Separator(directory: directory)
        return TalkerSeparation(separator: separator, plan: try windows.plan(sampleRate: separator.configuration.sampleRate))   // both polarities as `separate` by default
    }
}
