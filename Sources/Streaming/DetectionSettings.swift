/// When a stream of keyword scores becomes an event: which classes are watched and at what threshold, how scores
/// are smoothed, how many hops must agree, and how long the detector stays quiet after an event.
///
/// Units are hops (one window each); convert milliseconds once, at the command-line edge
/// (``hops(milliseconds:hop:sampleRate:)``).
public struct DetectionSettings: Sendable, Equatable {
    /// Watched class indices, `[K]`.
    public var keywords: [Int]
    /// The threshold of each watched class, `[K]`, on the smoothed probability.
    public var thresholds: [Float]
    /// Hops averaged by the moving-average smoother (1 = no smoothing).
    public var smoothingHops: Int
    /// Consecutive hops the smoothed score must stay at or above the threshold before an event fires.
    public var triggerCount: Int
    /// Hops after an event during which no event fires (any keyword, any talker).
    public var refractoryHops: Int

    /// - Throws: ``StreamingError/invalidDetectionSettings(_:)`` for empty or mismatched keywords, thresholds outside
    ///   `[0, 1]`, or counts below their minimum.
    public init(keywords: [Int], thresholds: [Float], smoothingHops: Int, triggerCount: Int, refractoryHops: Int) throws(StreamingError) {
        guard !keywords.isEmpty else { throw .invalidDetectionSettings("no keyword to watch") }
        guard keywords.count == thresholds.count else { throw .invalidDetectionSettings("one threshold per keyword is needed") }
        guard Set(keywords).count == keywords.count else { throw .invalidDetectionSettings("a keyword is listed twice") }
        for t in thresholds where !(t >= 0 && t <= 1) { throw .invalidDetectionSettings("threshold \(t) is not in [0, 1]") }
        guard smoothingHops >= 1 else { throw .invalidDetectionSettings("smoothing must be at least 1 hop") }
        guard triggerCount >= 1 else { throw .invalidDetectionSettings("the trigger count must be at least 1") }
        guard refractoryHops >= 0 else { throw .invalidDetectionSettings("the refractory period cannot be negative") }
        self.keywords = keywords
        self.thresholds = thresholds
        self.smoothingHops = smoothingHops
        self.triggerCount = triggerCount
        self.refractoryHops = refractoryHops
    }

    /// The same settings with every keyword at `threshold` (threshold sweeps).
    public func withThreshold(_ threshold: Float) -> DetectionSettings {
        var copy = self
        copy.thresholds = [Float](repeating: threshold, count: keywords.count)
        return copy
    }

    /// The whole number of hops covering `milliseconds` (rounded up).
    public static func hops(milliseconds: Double, hop: Int, sampleRate: Int) -> Int {
        Int((milliseconds * Double(sampleRate) / 1000 / Double(hop)).rounded(.up))
    }
}
