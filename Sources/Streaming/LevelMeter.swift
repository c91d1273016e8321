/// Running RMS and peak of a signal seen in blocks.
///
/// ```swift
/// var meter = LevelMeter()
/// meter.add(block)                     // [n]
/// let dBFS = 20 * log10(meter.rms)
/// ```
public struct LevelMeter: Sendable {
    /// Samples seen.
    public private(set) var count = 0
    private var sumOfSquares = 0.0
    /// The largest magnitude seen.
    public private(set) var peak: Float = 0

    public init() {}

    /// Adds a block `[n]`.
    public mutating func add(_ block: [Float]) {
        for x in block {
            sumOfSquares += Double(x) * Double(x)
            peak = max(peak, abs(x))
        }
        count += block.count
    }

    /// The root mean square of the samples seen (0 before any).
    public var rms: Double { count > 0 ? (sumOfSquares / Double(count)).squareRoot() : 0 }
}
