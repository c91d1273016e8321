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

    @Option(help: "Threshold on the smoothed probability: one for all, per keyword (yes=0.99,stop=0.9999), or both (0.99,yes=0.9995). Default: the model's stored thresholds (config.json `thresholds`, written by `train-kws --words`), else \(DetectionOptions.defaultThreshold).")
    var threshold: String?

    /// The threshold of a keyword that neither `--threshold` nor the model sets.
    static let defaultThreshold: Float = 0.999

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

    @Option(help: "Window the separator sees at once (seconds), with --separate.")
    var windowSeconds = 4.0

    @Option(help: "Overlap of consecutive separator windows (seconds), with --separate.")
    var overlapSeconds = 1.0

    mutating func validate() throws {
        guard hopMs > 0, hopMs % 10 == 0, hopMs <= 1_000 else { throw ValidationError("--hop-ms \(hopMs): must be a multiple of 10 from 10 to 1000") }
        try OptionBounds.check("--smoothing-ms", smoothingMs, 0...60_000, unit: "ms")
        try OptionBounds.check("--refractory-ms", refractoryMs, 0...3_600_000, unit: "ms")
        guard (1...100).contains(triggerCount) else { throw ValidationError("--trigger-count \(triggerCount): must be 1 to 100") }
        try SeparationWindowBounds.check(windowSeconds: windowSeconds, overlapSeconds: overlapSeconds)
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
        let labels = spotter.configuration.labels
        let watched: [String]
        if let keywords {
            watched = keywords.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } else {
            watched = labels.filter { $0 != "_unknown_" && $0 != "_silence_" }
        }
        var indices: [Int] = []
        for word in watched {
            guard let index = labels.firstIndex(of: word) else {
                throw ValidationError("--keywords: '\(word)' is not a label of the model (labels: \(labels.joined(separator: ", ")))")
            }
            indices.append(index)
        }
        var common: Float?
        var perKeyword: [String: Float] = [:]
        for part in (threshold ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard let value = Float(pieces.last ?? ""), value >= 0, value <= 1 else {
                throw ValidationError("--threshold '\(part)': expected a probability in [0, 1], or KEYWORD=probability")
            }
            if pieces.count == 2 {
                guard watched.contains(pieces[0]) else {
                    throw ValidationError("--threshold '\(part)': '\(pieces[0])' is not a watched keyword (\(watched.joined(separator: ", ")))")
                }
                perKeyword[pieces[0]] = value
            } else {
                common = value
            }
        }
        // Given (per keyword, then for all) > stored in the model > the default.
        var chosen: [Float] = []
        for word in watched {
            let stored: Float?
            do { stored = try spotter.configuration.storedThreshold(for: word) } catch { throw ValidationError("\(error.description) (in the model's config.json)") }
            chosen.append(perKeyword[word] ?? common ?? stored ?? Self.defaultThreshold)
        }
        let hopSamples = hop(for: spotter), rate = spotter.configuration.frontEnd.sampleRate
        do {
            return try DetectionSettings(
                keywords: indices, thresholds: chosen,
                smoothingHops: max(1, Int((Double(smoothingMs) / Double(hopMs)).rounded())),
                triggerCount: triggerCount,
                refractoryHops: DetectionSettings.hops(milliseconds: Double(refractoryMs), hop: hopSamples, sampleRate: rate))
        } catch {
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
        let rate = separator.configuration.sampleRate
        return TalkerSeparation(
            sampleRate: rate, speakers: separator.configuration.numSpks,
            plan: try ChunkPlan(windowSeconds: windowSeconds, overlapSeconds: overlapSeconds, sampleRate: rate),
            separate: { separator.separate($0, shifts: 1, bothPolarities: separator.configuration.bothPolarities ?? false) })   // as `separate` by default
    }
}
