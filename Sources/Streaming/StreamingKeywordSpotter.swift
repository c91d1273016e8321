import KeywordSpotting
import TensorCore

/// Runs a keyword spotter over a stream: a window every `hop` samples (features computed incrementally by
/// ``KeywordWindowFeatures``), classified as soon as its last sample has arrived.
///
/// Synchronous and deterministic: ``push(_:)`` returns the scores of the windows the block completed. Windows
/// completed by one block are classified together in batches of at most ``batchLimit`` (a live pipe completes one
/// or two per read; a file block many). Memory is one window of samples and features plus one batch, whatever the
/// stream's length.
///
/// ```swift
/// let streaming = try StreamingKeywordSpotter(spotter: spotter, hop: 1280)
/// for block in blocks { for s in streaming.push(block) { print(s.endSample, s.probabilities) } }
/// ```
public final class StreamingKeywordSpotter {
    /// The model.
    public let spotter: KeywordSpotter
    /// The incremental front end.
    public let features: KeywordWindowFeatures
    /// Most windows classified in one model call.
    public let batchLimit: Int
    private var batch: [Float] = []
    private var batchWindows: [Int] = []
    private var results: [KeywordHopScores] = []

    /// - Parameters:
    ///   - spotter: the model (its front end defines the rate and the window).
    ///   - hop: samples between windows, a multiple of the front end's hop (10 ms).
    ///   - batchLimit: most windows per model call.
    /// - Throws: ``KeywordSpottingError`` for a hop off the frame grid.
    public init(spotter: KeywordSpotter, hop: Int, batchLimit: Int = 32) throws(KeywordSpottingError) {
        precondition(batchLimit >= 1)
        self.spotter = spotter
        self.features = try KeywordWindowFeatures(settings: spotter.configuration.frontEnd, hop: hop)
        self.batchLimit = batchLimit
        let f = spotter.configuration.frontEnd
        batch.reserveCapacity(batchLimit * f.frameCount * f.melCount)
    }

    /// The stream's rate (Hz).
    public var sampleRate: Int { spotter.configuration.frontEnd.sampleRate }

    /// Samples pushed so far.
    public var samplesSeen: Int { features.samplesSeen }

    /// Adds samples and returns the scores of every window they complete, in order.
    /// - Parameter samples: `[n]` at ``sampleRate``.
    public func push(_ samples: [Float]) -> [KeywordHopScores] {
        results.removeAll(keepingCapacity: true)
        features.push(samples) { window, rows in
            batch.append(contentsOf: rows)
            batchWindows.append(window)
            if batchWindows.count == batchLimit { classifyBatch() }
        }
        classifyBatch()
        return results
    }

    /// Forgets the stream.
    public func reset() {
        features.reset()
        batch.removeAll(keepingCapacity: true)
        batchWindows.removeAll(keepingCapacity: true)
    }

    private func classifyBatch() {
        guard !batchWindows.isEmpty else { return }
        let f = spotter.configuration.frontEnd
        let probabilities = spotter.probabilities(features: Tensor(batch, shape: [batchWindows.count, f.frameCount, f.melCount]))
        for (window, p) in zip(batchWindows, probabilities) {
            results.append(KeywordHopScores(window: window, endSample: features.windowStart(window) + f.clipSamples, probabilities: p))
        }
        batch.removeAll(keepingCapacity: true)
        batchWindows.removeAll(keepingCapacity: true)
    }
}
