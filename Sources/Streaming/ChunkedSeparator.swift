import Foundation
import Separation

/// Separates a signal of any length in windows: each window goes through the model, its speaker order is aligned to
/// the previous window over their overlap (``PermutationAligner``), and consecutive windows are cross-faded there
/// (raised-cosine). Memory is a few windows whatever the length. A signal no longer than one window is separated in
/// exactly one pass, so short inputs give the model's own result.
///
/// Synchronous and deterministic: ``push(_:)`` returns the output samples that are final, ``finish()`` the rest.
///
/// ```swift
/// let workspace = model.makeWorkspace()   // this stream's buffers; the model itself is shared
/// let chunked = ChunkedSeparator(plan: plan, speakers: 2) { model.separate($0, workspace: workspace) }
/// for block in blocks { write(chunked.push(block)) }   // [C][n] per call
/// write(chunked.finish())
/// ```
public final class ChunkedSeparator {
    /// The windowing.
    public let plan: ChunkPlan
    /// Outputs per window.
    public let speakers: Int
    private let separate: ([Float]) -> [[Float]]
    /// Input not yet covered by a processed window, starting at the next window's first sample.
    private var pending: [Float] = []
    /// The previous window's outputs over the next overlap (aligned order), `[C][overlap]`, or nil before the first.
    private var tail: [[Float]]?
    private let fadeIn: [Float]

    /// - Parameters:
    ///   - separate: the model: `[n] -> [C][n]` (n at most one window).
    public init(plan: ChunkPlan, speakers: Int, separate: @escaping ([Float]) -> [[Float]]) {
        self.plan = plan
        self.speakers = speakers
        self.separate = separate
        let n = plan.overlap
        fadeIn = (0..<n).map { i -> Float in
            let phase = Double.pi * (Double(i) + 0.5) / Double(n)
            return Float(0.5 - 0.5 * cos(phase))
        }
        pending.reserveCapacity(2 * plan.window)
    }

    /// Adds input samples and returns the outputs that no later window will change, `[C][m]` (m may be 0).
    public func push(_ samples: [Float]) -> [[Float]] {
        pending += samples
        var out = [[Float]](repeating: [], count: speakers)
        // Keep one window + overlap buffered: the last window of the signal may still reach back into it.
        while pending.count >= plan.window + plan.hop {
            append(process(Array(pending.prefix(plan.window)), last: false), to: &out)
            pending.removeFirst(plan.hop)
        }
        return out
    }

    /// Separates a whole signal held in memory (``push(_:)`` then ``finish()``), after which the separator takes a
    /// new signal: `[n] -> [C][n]`; one pass when it fits one window.
    public func separate(_ signal: [Float]) -> [[Float]] {
        var out = push(signal)
        for (c, rest) in finish().enumerated() { out[c] += rest }
        return out
    }

    /// Ends the input and returns the remaining outputs, `[C][m]`.
    public func finish() -> [[Float]] {
        var out = [[Float]](repeating: [], count: speakers)
        if tail == nil && pending.count <= plan.window {
            // The whole signal fits one window: one pass, no alignment, no fade.
            if !pending.isEmpty { out = separate(pending) }
            pending = []
            return out
        }
        while pending.count > plan.window {
            append(process(Array(pending.prefix(plan.window)), last: false), to: &out)
            pending.removeFirst(plan.hop)
        }
        // The last window: the remaining samples (they include the previous window's overlap).
        if pending.count > plan.overlap || tail == nil {
            append(process(pending, last: true), to: &out)
        } else if let tail {
            append(tail, to: &out)
        }
        pending = []
        tail = nil
        return out
    }

    /// Separates one window, aligns and cross-fades it with the previous tail, and returns its final part.
    private func process(_ window: [Float], last: Bool) -> [[Float]] {
        var estimates = separate(window)
        let n = plan.overlap
        if let tail {
            let order = PermutationAligner.order(previous: tail, current: estimates.map { Array($0.prefix(n)) })
            estimates = order.map { estimates[$0] }
            for c in 0..<speakers {
                for i in 0..<n { estimates[c][i] = tail[c][i] * (1 - fadeIn[i]) + estimates[c][i] * fadeIn[i] }
            }
        }
        if last {
            tail = nil
            return estimates
        }
        let keep = window.count - n
        tail = estimates.map { Array($0[keep...]) }
        return estimates.map { Array($0[..<keep]) }
    }

    private func append(_ part: [[Float]], to out: inout [[Float]]) {
        for c in 0..<speakers { out[c] += part[c] }
    }
}
