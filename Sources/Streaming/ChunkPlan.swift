/// How a long signal is cut for a model that sees whole windows: windows of `window` samples starting every
/// `window - overlap` samples. Sizes are in samples (convert seconds once, at the CLI edge).
public struct ChunkPlan: Sendable, Equatable {
    /// Samples per window.
    public let window: Int
    /// Samples shared by consecutive windows (aligned and cross-faded there).
    public let overlap: Int

    /// Samples between window starts.
    public var hop: Int { window - overlap }

    /// - Throws: ``StreamingError/invalidPlan(window:overlap:reason:)`` unless `0 < overlap <= window / 2`.
    public init(window: Int, overlap: Int) throws(StreamingError) {
        guard window >= 2 else { throw .invalidPlan(window: window, overlap: overlap, reason: "the window must be at least 2 samples") }
        guard overlap > 0, overlap * 2 <= window else {
            throw .invalidPlan(window: window, overlap: overlap, reason: "the overlap must be positive and at most half the window")
        }
        self.window = window
        self.overlap = overlap
    }

    /// A plan from seconds at `sampleRate`.
    public init(windowSeconds: Double, overlapSeconds: Double, sampleRate: Int) throws(StreamingError) {
        try self.init(window: Int((windowSeconds * Double(sampleRate)).rounded()), overlap: Int((overlapSeconds * Double(sampleRate)).rounded()))
    }
}
