import TensorCore

/// Utterance-level permutation-invariant training (PIT) for separation (asteroid `PITLossWrapper`,
/// SpeechBrain `PitWrapper`): for each batch item, the assignment of estimates to sources with the best mean
/// SI-SNR is chosen over all `S!` permutations (S ≤ 3 in practice: 1, 2 or 6 candidates).
public enum PermutationInvariantLoss {
    /// The result of PIT: the loss to back-propagate and the chosen assignment.
    public struct Result {
        /// The mean over batch items of the negative mean SI-SNR under the best permutation, shape `[]`.
        public let loss: Tensor
        /// `permutations[b][j]` is the estimate assigned to source `j` in batch item `b`.
        public let permutations: [[Int]]
        /// The best mean SI-SNR (dB) per batch item.
        public let bestSISNR: [Float]
    }

    /// Negative SI-SNR with PIT.
    ///
    /// Shapes: `estimates [B, S, T]`, `targets [B, S, T]` -> loss `[]`.
    /// - Parameters:
    ///   - estimates: separated signals.
    ///   - targets: reference sources.
    ///   - eps: the SI-SNR epsilon.
    public static func negativeSISNR(estimates: Tensor, targets: Tensor, eps: Float = 1e-8) -> Result {
        precondition(estimates.rank == 3 && estimates.shape == targets.shape, "PIT: estimates \(estimates.shape) and targets \(targets.shape) must be equal [B, S, T]")
        let (batch, sources) = (estimates.shape[0], estimates.shape[1])
        precondition(sources >= 1 && sources <= 6, "PIT: \(sources) sources (all permutations are enumerated)")
        // pairwise[b, i, j] = SI-SNR(estimate i, target j): one formula for all pairs.
        let pairwise = Losses.siSNR(estimate: estimates.unsqueezed(2), target: targets.unsqueezed(1), eps: eps)  // [B, S, S]
        let values = pairwise.scalars
        var selection = [Float](repeating: 0, count: batch * sources * sources)
        var chosen: [[Int]] = [], best: [Float] = []
        for b in 0..<batch {
            let scores = (0..<sources).map { e in Array(values[((b * sources + e) * sources)..<((b * sources + e + 1) * sources)]) }
            let (bestPerm, bestScore) = Permutations.best(scores)            // scores[estimate][target]
            for j in 0..<sources { selection[(b * sources + bestPerm[j]) * sources + j] = 1 / Float(sources * batch) }
            chosen.append(bestPerm)
            best.append(bestScore)
        }
        let loss = -(pairwise * Tensor(selection, shape: [batch, sources, sources])).sum()
        return Result(loss: loss, permutations: chosen, bestSISNR: best)
    }
}
