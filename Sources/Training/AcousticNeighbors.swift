import TensorCore

/// For each of a set of short recordings, the others that sound most alike, found without labels: pairs for
/// pretraining whose two sides are (mostly) the same word said by different voices in different noise.
///
/// Each recording's log-mel `[T, M]` becomes a template: the frames between the first and last whose loudest bin
/// is above half-way from the 20th-percentile to the loudest frame (the spoken part), each bin minus its mean over
/// those frames (which removes stationary noise and channel colour), linearly resampled in time to
/// ``templateFrames`` frames (which removes the speaking rate), flattened; templates are centred on their mean over
/// the set and scaled to unit length. Neighbours are the templates of highest cosine similarity. A trained encoder's
/// embeddings can take the templates' place (``init(vectors:width:count:blockRows:)``), for a second round. On the
/// synthetic keyword corpus (35 words; its 11,181 training clips, half in noise) the nearest neighbour is the same
/// word for 89% of clips, and 86% of the 3 nearest are.
public struct AcousticNeighbors: Sendable {
    /// Frames of each template.
    public static let templateFrames = 20

    /// `neighbors[i]`: the indices of the recordings most like recording `i`, most alike first (never `i` itself).
    public let neighbors: [[Int]]

    /// Finds each recording's `count` nearest neighbours by their templates.
    /// - Parameters:
    ///   - logMels: one log-mel per recording, `[T, M]` row-major (`T` may differ between recordings).
    ///   - melCount: `M`.
    ///   - count: neighbours per recording (at most the number of recordings minus 1).
    ///   - blockRows: rows of the similarity matrix computed at once (memory: `blockRows × N` floats).
    public init(logMels: [[Float]], melCount: Int, count: Int, blockRows: Int = 512) {
        self.init(vectors: logMels.flatMap { Self.template($0, melCount: melCount) }, width: Self.templateFrames * melCount,
                  count: count, blockRows: blockRows)
    }

    /// Finds each recording's `count` nearest neighbours by vectors of its own (templates, or a trained encoder's
    /// embeddings), centred on their mean and compared by cosine similarity.
    /// - Parameters:
    ///   - vectors: `[N, width]` row-major, one row per recording.
    ///   - width: the vectors' length.
    ///   - count: neighbours per recording (at most `N - 1`).
    ///   - blockRows: rows of the similarity matrix computed at once (memory: `blockRows × N` floats).
    public init(vectors: [Float], width: Int, count: Int, blockRows: Int = 512) {
        let n = vectors.count / max(width, 1)
        precondition(width >= 1 && n * width == vectors.count && n >= 2 && count >= 1 && count < n,
                     "AcousticNeighbors: \(count) neighbours of \(vectors.count) values in rows of \(width)")
        var templates = vectors
        var mean = [Float](repeating: 0, count: width)
        for i in 0..<n { for j in 0..<width { mean[j] += templates[i * width + j] / Float(n) } }
        for i in 0..<n {
            var norm: Float = 0
            for j in 0..<width {
                templates[i * width + j] -= mean[j]
                norm += templates[i * width + j] * templates[i * width + j]
            }
            let scale = 1 / max(norm.squareRoot(), 1e-9)
            for j in 0..<width { templates[i * width + j] *= scale }
        }
        let all = Tensor(templates, shape: [n, width])
        var found: [[Int]] = []
        found.reserveCapacity(n)
        for start in stride(from: 0, to: n, by: blockRows) {
            let rows = min(blockRows, n - start)
            let similarity = Tensor.matmul(all.sliced(axis: 0, start..<(start + rows)), all, transposeB: true).scalars   // [rows, N]
            for r in 0..<rows {
                let row = similarity[(r * n)..<((r + 1) * n)]
                found.append(Self.largest(row, count: count, excluding: start + r))
            }
        }
        neighbors = found
    }

    /// The template of one log-mel `[T, M]`: `[templateFrames · M]` (not yet centred or scaled).
    public static func template(_ logMel: [Float], melCount m: Int) -> [Float] {
        let t = logMel.count / m
        precondition(t >= 1 && t * m == logMel.count, "AcousticNeighbors.template: \(logMel.count) values are not [T, \(m)]")
        let loudest = (0..<t).map { f in logMel[(f * m)..<((f + 1) * m)].max()! }
        let floor = loudest.sorted()[t / 5], top = loudest.max()!
        let threshold = floor + 0.5 * (top - floor)
        let first = loudest.firstIndex { $0 >= threshold }!, last = loudest.lastIndex { $0 >= threshold }!
        let frames = last - first + 1
        var binMean = [Float](repeating: 0, count: m)
        for f in first...last { for k in 0..<m { binMean[k] += logMel[f * m + k] / Float(frames) } }
        var out = [Float](repeating: 0, count: templateFrames * m)
        for i in 0..<templateFrames {
            let position = frames == 1 ? 0 : Float(i) * Float(frames - 1) / Float(templateFrames - 1)
            let lower = min(Int(position), frames - 1), upper = min(lower + 1, frames - 1)
            let weight = position - Float(lower)
            for k in 0..<m {
                let a = logMel[(first + lower) * m + k], b = logMel[(first + upper) * m + k]
                out[i * m + k] = a + (b - a) * weight - binMean[k]
            }
        }
        return out
    }

    /// The indices of the `count` largest values of `row`, largest first, skipping index `excluding`.
    private static func largest(_ row: ArraySlice<Float>, count: Int, excluding: Int) -> [Int] {
        var best: [(index: Int, value: Float)] = []
        for (offset, value) in row.enumerated() where offset != excluding {
            if best.count < count || value > best[best.count - 1].value {
                let at = best.firstIndex { value > $0.value } ?? best.count
                best.insert((offset, value), at: at)
                if best.count > count { best.removeLast() }
            }
        }
        return best.map(\.index)
    }
}
