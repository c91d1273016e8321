import Foundation

/// The binning estimator of `I(X;Y)` (as Shwartz-Ziv & Tishby measure layers): each dimension is cut into `bins`
/// equal-width bins between its minimum and maximum, each sample becomes the vector of its bin indices, and
///
///     I(X;Y) ≈ H(X) + H(Y) - H(X,Y)
///
/// with plug-in entropies `H = -Σ p ln p` over the distinct bin vectors that occur (found by hashing, so the
/// `bins^d` cells are never enumerated). Labels are their own bins. The plug-in estimate is biased upwards by about
/// (cells occupied jointly - cells of X - cells of Y + 1) / 2n, so keep `n` well above the number of joint cells.
struct BinningEstimator {
    /// Bins per dimension (at least 2).
    var bins: Int

    /// The default bins per dimension for `n` samples and a total dimension `D` (labels count as one):
    /// `round(((1 + √(1 + 24n)) / 2)^(1/D))`, at least 2. For two scalar variables (`D = 2`) this is the rule of
    /// Hacine-Gharbi & Ravier (2012) for mutual information at independence: 10 bins at `n = 2000`.
    static func defaultBins(sampleCount n: Int, dimension: Int) -> Int {
        let cells = (1 + (1 + 24 * Double(n)).squareRoot()) / 2
        return max(2, Int(pow(cells, 1 / Double(max(dimension, 1))).rounded()))
    }

    /// `I(X;Y)` in nats.
    /// - Precondition: both variables have the same number of samples.
    func mutualInformation(_ x: Observations, _ y: Observations) -> Double {
        precondition(x.count == y.count)
        let codesX = cellCodes(x), codesY = cellCodes(y)
        let joint = Self.denseIDs(zip(codesX, codesY).map { [$0, $1] })
        return entropy(codesX) + entropy(codesY) - entropy(joint)
    }

    /// One integer per sample naming its cell exactly (a dense id per distinct bin vector; labels as they are).
    private func cellCodes(_ observations: Observations) -> [Int] {
        switch observations {
        case .labels(let labels):
            return Self.denseIDs(labels)
        case .continuous(let matrix):
            var indices = [[Int32]](repeating: [], count: matrix.rows)
            for column in 0..<matrix.columns {
                var low = Double.infinity, high = -Double.infinity
                for row in 0..<matrix.rows {
                    low = min(low, matrix[row, column])
                    high = max(high, matrix[row, column])
                }
                let width = (high - low) / Double(bins)
                for row in 0..<matrix.rows {
                    let bin = width > 0 ? min(bins - 1, Int((matrix[row, column] - low) / width)) : 0
                    indices[row].append(Int32(bin))
                }
            }
            return Self.denseIDs(indices)
        }
    }

    /// Dense ids `0, 1, ...` of the distinct keys, in order of first appearance.
    private static func denseIDs<Key: Hashable>(_ keys: [Key]) -> [Int] {
        var ids = [Key: Int]()
        return keys.map { key in
            if let id = ids[key] { return id }
            ids[key] = ids.count
            return ids.count - 1
        }
    }

    /// The plug-in entropy in nats of the ids' empirical distribution.
    private func entropy(_ ids: [Int]) -> Double {
        var counts = [Int](repeating: 0, count: (ids.max() ?? 0) + 1)
        for id in ids { counts[id] += 1 }
        let n = Double(ids.count)
        var h = 0.0
        for count in counts where count > 0 {
            let p = Double(count) / n
            h -= p * log(p)
        }
        return h
    }
}
