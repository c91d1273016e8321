import TensorCore

/// How per-item losses are combined.
public enum LossReduction: String, Sendable, Codable, CaseIterable {
    /// Keep one value per item.
    case none
    /// The mean over items.
    case mean
    /// The sum over items.
    case sum

    /// Reduces a loss tensor of any shape.
    public func reduce(_ loss: Tensor) -> Tensor {
        switch self {
        case .none: return loss
        case .mean: return loss.mean()
        case .sum: return loss.sum()
        }
    }
}

/// Loss functions. Each returns a tensor that can be back-propagated.
public enum Losses {
    /// Cross-entropy of logits against class indices, with label smoothing as in PyTorch's
    /// `nn.CrossEntropyLoss(label_smoothing: ε)`: the target distribution is `(1−ε)·onehot + ε/C`, so
    /// `loss_i = −Σ_c q_c · log softmax(z_i)_c`.
    ///
    /// Shapes: `logits [N, C]`, `targets` N class indices -> `[]` (mean/sum) or `[N]` (none).
    /// - Parameters:
    ///   - logits: unnormalized scores `[N, C]`.
    ///   - targets: class indices in `0..<C`.
    ///   - labelSmoothing: `ε` in `[0, 1]`.
    ///   - reduction: how to combine the N losses.
    public static func crossEntropy(
        logits: Tensor, targets: [Int], labelSmoothing: Float = 0, reduction: LossReduction = .mean
    ) -> Tensor {
        precondition(logits.rank == 2 && logits.shape[0] == targets.count, "crossEntropy: logits \(logits.shape) for \(targets.count) targets")
        precondition((0...1).contains(labelSmoothing), "crossEntropy: label smoothing must be in [0, 1]")
        let classes = logits.shape[1]
        let off = labelSmoothing / Float(classes)
        let q = Tensor.oneHot(targets, classes: classes, onValue: 1 - labelSmoothing + off, offValue: off)
        let perItem = -(q * logits.logSoftmax(axis: -1)).sum(axis: -1)
        return reduction.reduce(perItem)
    }

    /// Mean squared error `(prediction − target)²`, reduced. Shapes: any two equal shapes -> `[]` or same.
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor, reduction: LossReduction = .mean) -> Tensor {
        precondition(prediction.shape == target.shape, "meanSquaredError: \(prediction.shape) vs \(target.shape)")
        return reduction.reduce((prediction - target).squared())
    }

    /// Scale-invariant SNR in dB over the last axis, broadcasting (SpeechBrain `cal_si_snr` / asteroid):
    /// both signals are made zero-mean, `s_t = ⟨ŝ, s⟩ s / (‖s‖² + eps)`, `e = ŝ − s_t`,
    /// `SI-SNR = 10·log10(‖s_t‖² / (‖e‖² + eps) + eps)`.
    ///
    /// Shapes: `estimate [..., T]`, `target [..., T]` (broadcastable) -> `[...]`. The pairwise matrix of PIT is
    /// this with `estimate [B, S, 1, T]` and `target [B, 1, S, T]`.
    public static func siSNR(estimate: Tensor, target: Tensor, eps: Float = 1e-8) -> Tensor {
        let e = estimate - estimate.mean(axis: -1, keepDims: true)
        let s = target - target.mean(axis: -1, keepDims: true)
        let dot = (e * s).sum(axis: -1, keepDims: true)
        let energy = s.squared().sum(axis: -1, keepDims: true)
        let projection = dot / (energy + eps) * s
        let noise = e - projection
        let ratio = projection.squared().sum(axis: -1) / (noise.squared().sum(axis: -1) + eps)
        return (ratio + eps).log() * Float(10 / 2.302_585_092_994_046)
    }

    /// NT-Xent (SimCLR) contrastive loss. Rows `i` and `i + N` of `z [2N, D]` are the two views of one
    /// example; with cosine similarities `sim = ẑ ẑᵀ / τ` (self-similarity excluded),
    /// `loss_i = −log(exp(sim[i, pos(i)]) / Σ_{k≠i} exp(sim[i, k]))`, averaged over all `2N` rows (both orders).
    ///
    /// Shapes: `z [2N, D]` -> `[]`.
    /// - Parameters:
    ///   - z: projections of both views, views of one example `N` rows apart.
    ///   - temperature: `τ > 0` (0.1–0.5 typical).
    public static func ntXent(_ z: Tensor, temperature: Float = 0.1) -> Tensor {
        precondition(z.rank == 2 && z.shape[0] % 2 == 0 && z.shape[0] >= 2, "ntXent: z must be [2N, D], got \(z.shape)")
        precondition(temperature > 0, "ntXent: temperature must be positive")
        let rows = z.shape[0], n = rows / 2
        let normalized = unitRows(z)
        var diagonal = [Float](repeating: 0, count: rows * rows)
        for i in 0..<rows { diagonal[i * rows + i] = -1e9 }
        let sim = Tensor.matmul(normalized, normalized, transposeB: true) * (1 / temperature) + Tensor(diagonal, shape: [rows, rows])
        let positives = Tensor.oneHot((0..<rows).map { ($0 + n) % rows }, classes: rows)
        return -(positives * sim.logSoftmax(axis: -1)).sum() * (1 / Float(rows))
    }

    /// SimSiam's symmetric negative cosine similarity. Rows `i` and `i + N` are the two views of one example; each
    /// view's prediction is pulled toward the other view's projection, which is held constant (stop-gradient):
    /// `loss = −½ (cos(h₁, sg(p₂)) + cos(h₂, sg(p₁)))`, averaged over the `N` pairs; in `[−1, 1]`, −1 when every
    /// prediction points along its partner's projection. No negatives: two examples are never pushed apart.
    ///
    /// Shapes: `predictions [2N, P]`, `projections [2N, P]` -> `[]`.
    public static func simSiam(predictions: Tensor, projections: Tensor) -> Tensor {
        precondition(predictions.rank == 2 && predictions.shape == projections.shape && predictions.shape[0] % 2 == 0,
                     "simSiam: predictions \(predictions.shape) and projections \(projections.shape) must both be [2N, P]")
        let rows = predictions.shape[0], n = rows / 2
        let target = unitRows(projections.detached())
        let partners = Tensor.concatenated([target.sliced(axis: 0, n..<rows), target.sliced(axis: 0, 0..<n)], axis: 0)
        return -(unitRows(predictions) * partners).sum() * (1 / Float(rows))
    }

    /// Each row scaled to unit length: `[R, D] -> [R, D]`.
    private static func unitRows(_ x: Tensor) -> Tensor { x / (x.squared().sum(axis: -1, keepDims: true) + 1e-12).sqrt() }
}
