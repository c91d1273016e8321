/// The outcome of keyword detection over a labelled stream at one threshold: events with `score >= threshold` count.
public struct DetectionOperatingPoint: Sendable, Equatable, Codable {
    /// Events scoring at least this count (`+infinity`: no event counts).
    public var threshold: Double
    /// Labels matched by an event.
    public var hits: Int
    /// Labels matched by no event.
    public var misses: Int
    /// Events that matched no label.
    public var falseAccepts: Int
    /// `misses / labels`, in `0...1`.
    public var falseRejectRate: Double
    /// `falseAccepts / hours of stream`.
    public var falseAcceptsPerHour: Double

    /// An operating point from its counts and rates.
    public init(threshold: Double, hits: Int, misses: Int, falseAccepts: Int, falseRejectRate: Double, falseAcceptsPerHour: Double) {
        self.threshold = threshold
        self.hits = hits
        self.misses = misses
        self.falseAccepts = falseAccepts
        self.falseRejectRate = falseRejectRate
        self.falseAcceptsPerHour = falseAcceptsPerHour
    }
}
