import TensorCore

/// Finds the speaker order of a new window that best continues the previous window, by correlating their outputs
/// over the overlap (Asteroid's `reorder_chunks` idea): the permutation maximising the summed normalised
/// cross-correlation of matched pairs, all permutations tried (up to 6 speakers).
public enum PermutationAligner {
    /// - Parameters:
    ///   - previous: the previous window's outputs over the overlap, `[C][n]`.
    ///   - current: the new window's outputs over the same samples, `[C][n]`.
    /// - Returns: `order` such that `current[order[c]]` continues `previous[c]`.
    public static func order(previous: [[Float]], current: [[Float]]) -> [Int] {
        let c = previous.count
        precondition(current.count == c && c >= 1 && c <= 6)
        var score = [[Double]](repeating: [Double](repeating: 0, count: c), count: c)
        for i in 0..<c {
            for j in 0..<c { score[i][j] = correlation(previous[i], current[j]) }
        }
        // Permutations.best maximises the mean of scores[p[j]][j]: here previous j is matched to current p[j].
        let transposed = (0..<c).map { current in (0..<c).map { previous in score[previous][current] } }
        return Permutations.best(transposed).permutation
    }

    /// Normalised cross-correlation at lag 0 (0 when either signal is silent).
    static func correlation(_ a: [Float], _ b: [Float]) -> Double {
        var ab = 0.0, aa = 0.0, bb = 0.0
        for i in 0..<min(a.count, b.count) {
            ab += Double(a[i]) * Double(b[i]); aa += Double(a[i]) * Double(a[i]); bb += Double(b[i]) * Double(b[i])
        }
        return aa > 0 && bb > 0 ? ab / (aa * bb).squareRoot() : 0
    }

}
