/// Turns per-hop keyword probabilities (of one or several talkers' streams) into events: moving-average smoothing,
/// a threshold per keyword, a count of consecutive hops above it, and a refractory period.
///
/// Rules, per talker and watched keyword: the smoothed score is the mean of the last `smoothingHops` probabilities;
/// an event fires when it has been at or above the keyword's threshold for `triggerCount` consecutive hops, the
/// keyword is armed, and no event fired in the last `refractoryHops` hops (any keyword, any talker). When several
/// trigger in one hop, the best score fires. Firing disarms every keyword that triggered in that hop; each is
/// re-armed once its smoothed score drops below its threshold. So one spoken keyword fires once, however long it stays
/// above the threshold, while a keyword held back by the refractory period still fires when the period ends (a
/// false accept just before a real keyword does not swallow it).
///
/// Deterministic and cheap: a threshold sweep replays recorded scores through a new trigger per threshold.
/// ```swift
/// let trigger = KeywordTrigger(settings: settings, labels: labels, talkers: 1)
/// for hop in scores { for event in trigger.process([hop]) { print(event) } }
/// ```
public final class KeywordTrigger {
    /// The rules.
    public let settings: DetectionSettings
    /// The model's labels (events are spelled with them).
    public let labels: [String]
    /// Streams scored in parallel.
    public let talkers: Int
    /// Recent probabilities of each talker and keyword, `[talkers, K, smoothingHops]` (a ring per keyword).
    private var recent: [Float]
    private var runs: [Int]
    private var armed: [Bool]
    private var hopsSeen = 0
    private var lastEventHop: Int?

    /// - Parameters:
    ///   - settings: the rules (keyword indices must be valid label indices).
    ///   - labels: the model's labels, `[classes]`.
    ///   - talkers: streams scored in parallel (1 without separation).
    public init(settings: DetectionSettings, labels: [String], talkers: Int = 1) {
        precondition(talkers >= 1 && settings.keywords.allSatisfy { labels.indices.contains($0) })
        self.settings = settings
        self.labels = labels
        self.talkers = talkers
        let k = settings.keywords.count
        recent = [Float](repeating: 0, count: talkers * k * settings.smoothingHops)
        runs = [Int](repeating: 0, count: talkers * k)
        armed = [Bool](repeating: true, count: talkers * k)
    }

    /// Consumes one hop: the scores of the same window in each talker's stream (`[talkers]`, each with
    /// `probabilities [classes]`), and returns the event it fires, if any (the best-scoring trigger of the hop).
    public func process(_ hop: [KeywordHopScores]) -> [KeywordEvent] {
        precondition(hop.count == talkers)
        let k = settings.keywords.count, width = settings.smoothingHops
        let filled = min(hopsSeen + 1, width), slot = hopsSeen % width
        var candidates: [KeywordEvent] = []
        for talker in 0..<talkers {
            for (j, classIndex) in settings.keywords.enumerated() {
                let cell = talker * k + j, base = cell * width
                recent[base + slot] = hop[talker].probabilities[classIndex]
                var sum: Float = 0
                for i in 0..<filled { sum += recent[base + i] }
                let smoothed = sum / Float(filled)
                guard smoothed >= settings.thresholds[j] else {
                    runs[cell] = 0
                    armed[cell] = true
                    continue
                }
                runs[cell] += 1
                guard runs[cell] >= settings.triggerCount, armed[cell] else { continue }
                candidates.append(KeywordEvent(
                    endSample: hop[talker].endSample, classIndex: classIndex, keyword: labels[classIndex], score: smoothed, talker: talker))
            }
        }
        defer { hopsSeen += 1 }
        let quiet = lastEventHop.map { hopsSeen - $0 > settings.refractoryHops } ?? true
        // Triggers in the same hop are one spoken word heard as several keywords (or by several talkers): the best wins.
        guard quiet, let best = candidates.max(by: { $0.score < $1.score }) else { return [] }
        lastEventHop = hopsSeen
        // The hop's other triggers were the same spoken word: they stay silent until their scores drop.
        for candidate in candidates { armed[candidate.talker * k + settings.keywords.firstIndex(of: candidate.classIndex)!] = false }
        return [best]
    }
}
