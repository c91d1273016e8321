/// The Kraskov-Stögbauer-Grassberger estimator 1 of `I(X;Y)` for two continuous variables (Kraskov et al., 2004).
///
/// With `ε_i` the max-norm distance from sample `i` to its `k`-th nearest neighbour in the joint space `(x, y)`
/// (max-norm over all coordinates), and `n_x(i)`, `n_y(i)` the numbers of other samples strictly closer than `ε_i`
/// in the X space and in the Y space alone:
///
///     I(X;Y) ≈ ψ(k) + ψ(n) - ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩
///
/// The estimate is consistent, nearly unbiased at independence, and invariant to invertible maps of each variable
/// in the limit; in finite samples it underestimates strong dependence in many dimensions.
struct KSGEstimator {
    /// Neighbours `k` (3 by default, as Kraskov et al. recommend 2-4).
    var neighbors: Int
    /// Threads.
    var workers: Int

    /// `I(X;Y)` in nats from the rows of `x` `[n, dx]` and `y` `[n, dy]`, used as given (scale them first).
    /// - Precondition: the same `n`, and `n > k`.
    func mutualInformation(_ x: SampleMatrix, _ y: SampleMatrix) -> Double {
        precondition(x.rows == y.rows && x.rows > neighbors)
        let n = x.rows
        let radii = ChebyshevNeighborSearch(x.joined(with: y)).kthNeighborDistances(k: neighbors, workers: workers)
        let countsX = ChebyshevNeighborSearch(x).counts(within: radii, inclusive: false, workers: workers)
        let countsY = ChebyshevNeighborSearch(y).counts(within: radii, inclusive: false, workers: workers)
        let psi = Digamma.integerTable(upTo: n + 1)
        var sum = 0.0
        for i in 0..<n { sum += psi[countsX[i] + 1] + psi[countsY[i] + 1] }
        return psi[neighbors] + psi[n] - sum / Double(n)
    }
}
