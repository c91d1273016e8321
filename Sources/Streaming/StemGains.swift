/// The gains that scale separated stems back to the mixture's own scale: the least-squares gains `g` that best
/// rebuild the mixture from the stems, `min_g ||m - Σ_i g_i s_i||²`, accumulated block by block so a file of any
/// length needs one pass. Relative levels survive (a quiet talker stays quiet, a ghost stem of a single-talker
/// input stays near silent), unlike scaling each stem to the mixture's loudness.
///
/// ```swift
/// var gains = StemGains(stems: 2)
/// gains.add(stems: [s1Block, s2Block], mixture: mixBlock)    // each [n], aligned
/// let g = gains.solve()                                      // [2]
/// ```
public struct StemGains: Sendable {
    /// Stems `C`.
    public let stems: Int
    /// `[C][C]` inner products of the stems.
    private var gram: [[Double]]
    /// `[C]` inner products of each stem with the mixture.
    private var projections: [Double]
    /// Samples added.
    public private(set) var count = 0

    public init(stems: Int) {
        self.stems = stems
        gram = Array(repeating: Array(repeating: 0, count: stems), count: stems)
        projections = Array(repeating: 0, count: stems)
    }

    /// Adds aligned blocks: `stems` `[C][n]` and the `mixture` `[n]` they came from.
    public mutating func add(stems blocks: [[Float]], mixture: ArraySlice<Float>) {
        precondition(blocks.count == stems && blocks.allSatisfy { $0.count == mixture.count })
        let m = Array(mixture)
        for i in 0..<stems {
            let a = blocks[i]
            var p = 0.0
            for t in a.indices { p += Double(a[t]) * Double(m[t]) }
            projections[i] += p
            for j in i..<stems {
                let b = blocks[j]
                var g = 0.0
                for t in a.indices { g += Double(a[t]) * Double(b[t]) }
                gram[i][j] += g
                if i != j { gram[j][i] += g }
            }
        }
        count += m.count
    }

    /// The gains, `[C]`: the least-squares solution (a tiny ridge keeps silent or identical stems solvable; a
    /// negative gain, which would invert a talker to cancel another, is clamped to zero and the rest solved again).
    public func solve() -> [Double] {
        var active = Array(0..<stems)
        while true {
            let g = Self.solve(gram: active.map { i in active.map { gram[i][$0] } }, projections: active.map { projections[$0] })
            if let worst = g.indices.min(by: { g[$0] < g[$1] }), g[worst] < 0, active.count > 1 {
                active.remove(at: worst)
                continue
            }
            var gains = [Double](repeating: 0, count: stems)
            for (k, i) in active.enumerated() { gains[i] = max(0, g[k]) }
            return gains
        }
    }

    /// Solves `(G + λI) g = p` by Gaussian elimination with partial pivoting, `λ = 1e-9 · trace(G) / n`.
    static func solve(gram: [[Double]], projections: [Double]) -> [Double] {
        let n = projections.count
        let ridge = max(1e-30, 1e-9 * (0..<n).map { gram[$0][$0] }.reduce(0, +) / Double(max(n, 1)))
        var a = gram.enumerated().map { i, row in row.enumerated().map { j, v in v + (i == j ? ridge : 0) } + [projections[i]] }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
            a.swapAt(column, pivot)
            let p = a[column][column]
            guard p != 0 else { continue }
            for row in (column + 1)..<n {
                let f = a[row][column] / p
                for k in column...n { a[row][k] -= f * a[column][k] }
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = a[row][n]
            for k in (row + 1)..<n { sum -= a[row][k] * x[k] }
            x[row] = a[row][row] != 0 ? sum / a[row][row] : 0
        }
        return x
    }
}
