/// Ross's (2014) nearest-neighbour estimator of `I(X;Y)` between continuous `X` and discrete labels `Y`.
///
/// For each sample `i` with label `c` (`N_c` samples carry it): `d_i` is the max-norm distance to its `k_i`-th nearest
/// neighbour among the samples labelled `c` (`k_i = min(k, N_c - 1)`), and `m_i` counts the other samples of any label
/// within `d_i` (at most `d_i`, so the neighbour itself is counted). Then
///
///     I(X;Y) ≈ ψ(N) - ⟨ψ(N_c)⟩ + ⟨ψ(k_i)⟩ - ⟨ψ(m_i)⟩
///
/// averaged over the `N` samples whose label occurs at least twice (a label seen once carries no neighbour).
struct MixedEstimator {
    /// Neighbours `k`.
    var neighbors: Int
    /// Threads.
    var workers: Int

    /// `I(X;Y)` in nats from `x` `[n, d]` (used as given) and labels `[n]`.
    /// - Returns: the estimate and the number `N` of samples it used.
    /// - Throws: ``InformationTheoryError/tooFewSamples(variable:count:required:reason:)`` when fewer than two samples
    ///   share a label.
    func mutualInformation(_ x: SampleMatrix, labels: [Int]) throws(InformationTheoryError) -> (nats: Double, used: Int) {
        precondition(x.rows == labels.count)
        var members = [Int: [Int]]()
        for (row, label) in labels.enumerated() { members[label, default: []].append(row) }
        let kept = members.values.filter { $0.count >= 2 }.flatMap { $0 }.sorted()
        guard kept.count >= 2 else {
            throw .tooFewSamples(variable: .y, count: labels.count, required: 2, reason: "the mixed estimator (two samples of one label)")
        }
        var radii = [Double](repeating: 0, count: x.rows)
        var neighborsUsed = [Int](repeating: 0, count: x.rows)
        for rows in members.values where rows.count >= 2 {
            let k = min(neighbors, rows.count - 1)
            let distances = ChebyshevNeighborSearch(x.selectingRows(rows)).kthNeighborDistances(k: k, workers: workers)
            for (place, row) in rows.enumerated() {
                radii[row] = distances[place]
                neighborsUsed[row] = k
            }
        }
        let subset = x.selectingRows(kept)
        let counts = ChebyshevNeighborSearch(subset).counts(within: kept.map { radii[$0] }, inclusive: true, workers: workers)
        let n = kept.count
        let psi = Digamma.integerTable(upTo: n + 1)
        var sum = 0.0
        let classSizes = members.mapValues(\.count)
        for (place, row) in kept.enumerated() {
            sum += psi[classSizes[labels[row], default: 1]] - psi[neighborsUsed[row]] + psi[max(counts[place], 1)]
        }
        return (psi[n] - sum / Double(n), n)
    }
}
