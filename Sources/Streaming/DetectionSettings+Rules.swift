import KeywordSpotting

extension DetectionSettings {
    /// The default threshold on the smoothed probability (when neither the options nor the model give one).
    public static let defaultThreshold: Float = 0.999

    /// The rules for `spotter` from their spellings on the command line (`detect`, `eval-stream`).
    ///
    /// Thresholds are chosen per keyword: given for it (`yes=0.99`), else given for all (`0.99`), else stored in the
    /// model (`config.json` `thresholds`), else ``defaultThreshold``.
    /// - Parameters:
    ///   - keywords: the watched labels, comma-separated; nil watches every label but `_unknown_` and `_silence_`.
    ///   - thresholds: one probability for all, per keyword (`yes=0.99,stop=0.9999`), or both; nil: stored or default.
    ///   - hopMs, smoothingMs, refractoryMs: the hop, smoothing window and refractory period (ms).
    ///   - triggerCount: hops above the threshold that fire an event.
    /// - Throws: ``StreamingError/invalidRule(message:)`` naming the option for an unknown keyword or a malformed
    ///   threshold; the model's bad stored thresholds; ``StreamingError/invalidDetectionSettings(_:)``.
    public static func resolve(
        for spotter: KeywordSpotter, keywords: String?, thresholds: String?, hopMs: Int, smoothingMs: Int, triggerCount: Int,
        refractoryMs: Int
    ) throws -> DetectionSettings {
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
                throw StreamingError.invalidRule(message: "--keywords: '\(word)' is not a label of the model (labels: \(labels.joined(separator: ", ")))")
            }
            indices.append(index)
        }
        var common: Float?
        var perKeyword: [String: Float] = [:]
        for part in (thresholds ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard let value = Float(pieces.last ?? ""), value >= 0, value <= 1 else {
                throw StreamingError.invalidRule(message: "--threshold '\(part)': expected a probability in [0, 1], or KEYWORD=probability")
            }
            if pieces.count == 2 {
                guard watched.contains(pieces[0]) else {
                    throw StreamingError.invalidRule(message: "--threshold '\(part)': '\(pieces[0])' is not a watched keyword (\(watched.joined(separator: ", ")))")
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
            do {
                stored = try spotter.configuration.storedThreshold(for: word)
            } catch {
                throw StreamingError.invalidRule(message: "\(error.description) (in the model's config.json)")
            }
            chosen.append(perKeyword[word] ?? common ?? stored ?? defaultThreshold)
        }
        let rate = spotter.configuration.frontEnd.sampleRate, hopSamples = hopMs * rate / 1_000
        return try DetectionSettings(
            keywords: indices, thresholds: chosen,
            smoothingHops: max(1, Int((Double(smoothingMs) / Double(hopMs)).rounded())),
            triggerCount: triggerCount,
            refractoryHops: DetectionSettings.hops(milliseconds: Double(refractoryMs), hop: hopSamples, sampleRate: rate))
    }
}
