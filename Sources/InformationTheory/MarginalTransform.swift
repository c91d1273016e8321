import Foundation

/// How `ksg` and `mixed` rescale each coordinate before measuring max-norm distances.
///
/// Mutual information is unchanged by any strictly increasing map of a coordinate, but the nearest-neighbour
/// estimates in finite samples are not: a heavy tail (say `sinh(3x)`) squeezes most samples into a sliver of the
/// range and the estimate collapses. Normal scores undo any such map exactly.
public enum MarginalTransform: String, Sendable, Equatable, CaseIterable, Codable {
    /// Each coordinate replaced by its normal score `Φ⁻¹(r / (n + 1))`, `r` its rank (ties share their mean rank):
    /// the estimate is then invariant to strictly increasing maps of each coordinate. The default.
    case normalScores = "normal-scores"
    /// Each coordinate shifted to mean 0 and scaled to standard deviation 1 (the textbook KSG preprocessing).
    case standardize

    /// `matrix` `[n, d]` with this transform applied to each column.
    public func applied(to matrix: SampleMatrix) -> SampleMatrix {
        switch self {
        case .standardize:
            return matrix.standardized()
        case .normalScores:
            let n = matrix.rows, d = matrix.columns
            var values = matrix.values
            for column in 0..<d {
                let order = (0..<n).sorted { matrix[$0, column] < matrix[$1, column] }
                var start = 0
                while start < n {
                    var end = start + 1
                    while end < n && matrix[order[end], column] == matrix[order[start], column] { end += 1 }
                    // Places start..<end hold equal values: ranks start + 1 ... end, mean (start + 1 + end) / 2.
                    let score = Self.inverseNormalCDF(Double(start + 1 + end) / 2 / Double(n + 1))
                    for place in start..<end { values[order[place] * d + column] = score }
                    start = end
                }
            }
            return SampleMatrix(rows: n, columns: d, values: values)
        }
    }

    /// The standard normal quantile `Φ⁻¹(p)` for `0 < p < 1`, to about 1e-12, by Newton's method on
    /// `Φ(x) = erfc(-x/√2) / 2`. For `q = min(p, 1 - p)` the root is at `x ≤ 0`, where `Φ` is increasing and convex,
    /// so Newton's steps from `x = 0` decrease monotonically onto it without overshooting.
    static func inverseNormalCDF(_ p: Double) -> Double {
        precondition(p > 0 && p < 1)
        let q = min(p, 1 - p)
        var x = 0.0
        for _ in 0..<100 {
            let cdf = 0.5 * erfc(-x / 2.0.squareRoot())
            let density = exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
            let step = (cdf - q) / density
            x -= step
            if abs(step) <= 1e-12 * max(1, abs(x)) { break }
        }
        return p < 0.5 ? x : -x
    }
}
