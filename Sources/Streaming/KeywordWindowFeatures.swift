import DSP
import KeywordSpotting

/// The keyword spotter's log-mel features of sliding windows over a stream, computed incrementally and equal to the
/// offline front end's features of each window on its own (``LogMelFrontEnd/features(_:)``).
///
/// Window `k` covers samples `[k·hop, k·hop + clip)` of the stream. Offline, each window is framed by itself
/// (centered: zero-padded by `n_fft / 2` on both sides), so frame `t` of window `k` is centered on sample
/// `k·hop + t·hop_length`. A frame whose FFT support lies inside the window is the stream's own frame
/// `g = k·hop / hop_length + t`; those are computed once per stream, in order, as samples arrive, into a ring of the last
/// `frames` rows. Only the edge frames whose support crosses a window boundary (2 on each side for the standard
/// front end) depend on the window; they are computed per window from the sample history, zero-padded as offline.
/// So each hop computes its new frames plus those few edge frames, and memory is one window of samples and rows
/// whatever the stream's length.
///
/// ```swift
/// let features = try KeywordWindowFeatures(settings: KWSFrontEnd(), hop: 1280)
/// features.push(block) { window, rows in classify(rows) }   // rows: [frames * mels], valid during the call
/// ```
public final class KeywordWindowFeatures {
    /// The front end.
    public let settings: KWSFrontEnd
    /// Samples between consecutive windows' starts.
    public let hop: Int
    /// Samples pushed so far.
    public private(set) var samplesSeen = 0
    /// Windows emitted so far (the next window's index).
    public private(set) var windowsEmitted = 0
    private let frames: Int, mels: Int
    /// Centered frames of the whole stream.
    private let stream: FeatureExtractor
    /// Uncentered: one frame per `n_fft` samples (the edge frames).
    private let edge: FeatureExtractor
    /// The last `frames` stream rows, `[frames, mels]`, row `g` at slot `g % frames`.
    private var ring: [Float]
    private var rowsReceived = 0
    /// The most recent samples (at least one window), starting at stream sample `historyStart`.
    private var history: [Float]
    private var historyStart = 0
    /// One window's features, `[frames, mels]`.
    private var window: [Float]
    /// One edge frame's samples, `[n_fft]`.
    private var edgeSamples: [Float]
    /// Whether frame `t` of a window needs the window's own padding.
    private let isEdgeFrame: [Bool]

    /// - Parameters:
    ///   - settings: the model's front end.
    ///   - hop: samples between windows; a positive multiple of `hop_length`.
    /// - Throws: ``KeywordSpottingError/invalidConfiguration(field:value:reason:)`` for a hop or clip length off the
    ///   frame grid.
    public init(settings: KWSFrontEnd, hop: Int) throws(KeywordSpottingError) {
        try settings.validate()
        guard hop > 0, hop % settings.hopLength == 0 else {
            throw .invalidConfiguration(
                field: "hop", value: "\(hop) samples",
                reason: "must be a positive multiple of the front end's hop of \(settings.hopLength) samples (\(1000 * settings.hopLength / settings.sampleRate) ms)")
        }
        guard settings.clipSamples % settings.hopLength == 0 else {
            throw .invalidConfiguration(
                field: "front_end.clip_samples", value: "\(settings.clipSamples)",
                reason: "streaming needs a window length that is a multiple of hop_length (\(settings.hopLength))")
        }
        self.settings = settings
        self.hop = hop
        frames = settings.frameCount
        mels = settings.melCount
        var uncentered = settings.featureConfiguration
        uncentered.stft.center = false
        do {
            stream = try FeatureExtractor(kind: .logmel, configuration: settings.featureConfiguration)
            edge = try FeatureExtractor(kind: .logmel, configuration: uncentered)
        } catch {
            throw .invalidConfiguration(field: "front_end", value: "", reason: error.description)
        }
        ring = [Float](repeating: 0, count: frames * mels)
        history = []
        history.reserveCapacity(2 * settings.clipSamples + hop)
        window = [Float](repeating: 0, count: frames * mels)
        edgeSamples = [Float](repeating: 0, count: settings.nFFT)
        let n = settings.nFFT, lead = settings.center ? settings.nFFT / 2 : 0
        isEdgeFrame = (0..<frames).map { t in
            let start = t * settings.hopLength - lead
            return start < 0 || start + n > settings.clipSamples
        }
    }

    /// Forgets the stream, as if newly created.
    public func reset() {
        stream.reset()
        samplesSeen = 0
        windowsEmitted = 0
        rowsReceived = 0
        history.removeAll(keepingCapacity: true)
        historyStart = 0
    }

    /// The first sample of window `index`.
    public func windowStart(_ index: Int) -> Int { index * hop }

    /// Adds samples and emits the features of every window they complete, in order.
    /// - Parameters:
    ///   - samples: the next block, `[n]` at the front end's rate (any `n`).
    ///   - emit: `(window index, features [frames * mels] row-major [frames, mels])`; the buffer is valid during the call.
    public func push(_ samples: [Float], _ emit: (Int, UnsafeBufferPointer<Float>) -> Void) {
        var offset = 0
        while offset < samples.count {
            let windowEnd = windowStart(windowsEmitted) + settings.clipSamples
            let take = min(samples.count - offset, windowEnd - samplesSeen)
            let piece = Array(samples[offset..<(offset + take)])
            offset += take
            append(piece)
            if samplesSeen == windowEnd {
                assembleWindow(windowsEmitted)
                window.withUnsafeBufferPointer { emit(windowsEmitted, $0) }
                windowsEmitted += 1
            }
        }
    }

    /// Feeds samples to the stream's frames and the history.
    private func append(_ piece: [Float]) {
        stream.push(piece) { row in
            let slot = rowsReceived % frames
            ring.withUnsafeMutableBufferPointer { ring in
                for m in 0..<mels { ring[slot * mels + m] = row[m] }
            }
            rowsReceived += 1
        }
        samplesSeen += piece.count
        let keep = settings.clipSamples
        if history.count + piece.count > history.capacity, history.count > keep {
            let drop = history.count - keep
            history.removeFirst(drop)
            historyStart += drop
        }
        history += piece
    }

    /// Fills `window` with the features of window `index` (all of its samples have arrived).
    private func assembleWindow(_ index: Int) {
        let start = windowStart(index), firstFrame = start / settings.hopLength
        let lead = settings.center ? settings.nFFT / 2 : 0
        for t in 0..<frames {
            if isEdgeFrame[t] {
                let frameStart = start + t * settings.hopLength - lead
                for i in 0..<settings.nFFT {
                    let s = frameStart + i
                    edgeSamples[i] = s >= start && s < start + settings.clipSamples ? history[s - historyStart] : 0
                }
                let row = edge.extract(edgeSamples).values
                for m in 0..<mels { window[t * mels + m] = row[m] }
            } else {
                let g = firstFrame + t
                precondition(g < rowsReceived && g >= rowsReceived - frames, "stream frame \(g) is not in the ring")
                let slot = g % frames
                for m in 0..<mels { window[t * mels + m] = ring[slot * mels + m] }
            }
        }
    }
}
