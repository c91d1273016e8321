/// The one exhaustive permutation search: the PIT loss (training), the evaluators' PIT and BSS-Eval matching, and
/// the chunked separator's speaker alignment all pick their permutation here.
///
/// ```swift
/// let (p, mean) = Permutations.best([[1, 5], [4, 2]])   // p == [1, 0]: estimate 1 for reference 0; mean 4.5
/// ```
public enum Permutations {
    /// Every permutation of `0..<count` in lexicographic order (as Python's `itertools.permutations`).
    public static func all(_ count: Int) -> [[Int]] {
        var result: [[Int]] = []
        var current: [Int] = []
        var used = [Bool](repeating: false, count: count)
        func extend() {
            if current.count == count { result.append(current); return }
            for i in 0..<count where !used[i] {
                used[i] = true; current.append(i)
                extend()
                current.removeLast(); used[i] = false
            }
        }
        extend()
        return result
    }

    /// The permutation `p` maximising `mean_j scores[p[j]][j]` over `scores [estimate][reference]` (summed in `j`
    /// order, then divided), and that mean; the first in lexicographic order wins ties (as `np.argmax`).
    public static func best<T: BinaryFloatingPoint>(_ scores: [[T]]) -> (permutation: [Int], mean: T) {
        let n = scores.count
        var best: [Int] = Array(0..<n), bestMean = -T.infinity
        for p in all(n) {
            var sum: T = 0
            for j in 0..<n { sum += scores[p[j]][j] }
            let mean = sum / T(n)
            if mean > bestMean {
                best = p
                bestMean = mean
            }
        }
        return (best, bestMean)
    }
}
