/// Exhaustive permutation search for PIT and BSS-Eval's matching.
enum Permutations {
    /// Every permutation of `0..<count` in lexicographic order (as Python's `itertools.permutations`).
    static func all(_ count: Int) -> [[Int]] {
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

    /// The permutation `p` maximising `mean_j scores[p[j]][j]` over `scores [estimate][reference]`, and that mean;
    /// the first in lexicographic order wins ties (as `np.argmax`).
    static func best(_ scores: [[Double]]) -> (permutation: [Int], mean: Double) {
        let n = scores.count
        var best: [Int] = Array(0..<n), bestMean = -Double.infinity
        for p in all(n) {
            var sum = 0.0
            for j in 0..<n { sum += scores[p[j]][j] }
            let mean = sum / Double(n)
            if mean > bestMean {
                best = p
                bestMean = mean
            }
        }
        return (best, bestMean)
    }
}
