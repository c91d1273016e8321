import Foundation

/// The Gaussian-kernel estimator: the mutual information of the *noise-smoothed* variables, from pairwise distances.
///
/// It treats the sample as a mixture of `n` Gaussians of variance `σ²` per dimension centred on the samples: the
/// distribution of `X̃ = X + σε`, with `X` drawn from the sample and `ε ~ N(0, I)`, the "noisy layer" of Saxe et al.
/// (2018). The entropy of such a mixture is bounded above by the pairwise-distance (KL) bound of Kolchinsky & Tracey
/// (2017), which is tight when the components are well separated or coincide:
///
///     Ĥ(X̃) = (d/2) ln(2πeσ²) - (1/n) Σ_i ln((1/n) Σ_j exp(-‖x_i - x_j‖² / 2σ²))
///
/// - Continuous Y: `I ≈ Ĥ(X̃) + Ĥ(Ỹ) - Ĥ(X̃,Ỹ)`, with `Ỹ = Y + σε'` (independent noise of the same variance), which is
///   `(1/n) Σ_i ln(A^xy_i / (A^x_i A^y_i))` with `A^z_i = (1/n) Σ_j exp(-‖z_i - z_j‖² / 2σ²)`: the plug-in estimate of
///   `I(X̃;Ỹ)` at the samples. It estimates `I(X̃;Ỹ) ≤ I(X;Y)`, not `I(X;Y)` itself; it approaches `I(X;Y)` as
///   `σ² → 0` only when `n` grows fast enough (for small `σ²` it tends to `ln n`).
/// - Labels Y: `I ≈ Ĥ(X̃) - Σ_c p_c Ĥ(X̃ | Y = c)`, the Kolchinsky-Tracey / Saxe et al. estimate of `I(X̃;Y)`
///   (the class-conditional terms use the class's samples only); it is at most `H(Y)`.
///
/// The data are used in their own units: `σ²` is in those units squared (nothing is standardized).
struct KernelDensityEstimator {
    /// The kernel (noise) variance `σ²` per dimension.
    var noiseVariance: Double
    /// Threads.
    var workers: Int

    /// `I(X̃;Ỹ)` (or `I(X̃;Y)` for labels) in nats.
    func mutualInformation(_ x: SampleMatrix, _ y: Observations) -> Double {
        precondition(x.rows == y.count)
        let n = x.rows
        switch y {
        case .continuous(let yMatrix):
            // (1/n) Σ_i [ln A^xy_i - ln A^x_i - ln A^y_i]; of the 1/n factors one + ln n is left.
            let terms = rowTerms(x, yMatrix, labels: nil)
            return terms.reduce(0, +) / Double(n) + log(Double(n))
        case .labels(let labels):
            // Ĥ(X̃) - Σ_c p_c Ĥ(X̃|c) with the constants cancelled:
            // (1/n) Σ_i [ln((1/n_c) Σ_{j in c} K_ij) - ln((1/n) Σ_j K_ij)].
            var classSize = [Int: Int]()
            for label in labels { classSize[label, default: 0] += 1 }
            let terms = rowTerms(x, nil, labels: labels)
            var total = 0.0
            for i in 0..<n { total += terms[i] - log(Double(classSize[labels[i]] ?? 1) / Double(n)) }
            return total / Double(n)
        }
    }

    /// The per-row terms, with `K^z_ij = exp(-‖z_i - z_j‖² / 2σ²)`:
    /// with `y`, `ln Σ_j K^x_ij K^y_ij - ln Σ_j K^x_ij - ln Σ_j K^y_ij`; with `labels`,
    /// `ln Σ_{j: label j = label i} K^x_ij - ln Σ_j K^x_ij`.
    /// - Returns: `[n]` terms.
    private func rowTerms(_ x: SampleMatrix, _ y: SampleMatrix?, labels: [Int]?) -> [Double] {
        let n = x.rows, dx = x.columns, dy = y?.columns ?? 0
        let scale = -0.5 / noiseVariance
        var terms = [Double](repeating: 0, count: n)
        let yValues = y?.values ?? [], labelValues = labels ?? []
        x.values.withUnsafeBufferPointer { xPointer in
            yValues.withUnsafeBufferPointer { yPointer in
                labelValues.withUnsafeBufferPointer { labelPointer in
                    terms.withUnsafeMutableBufferPointer { output in
                        let out = SendableBox(output), sources = SendableBox((xPointer, yPointer, labelPointer))
                        parallelRows(count: n, workers: workers) { range in
                            let (xs, ys, labels) = sources.value
                            for i in range {
                                var sumX = 0.0, sumY = 0.0, sumJoint = 0.0
                                for j in 0..<n {
                                    let kx = exp(scale * Self.squaredDistance(xs, i, j, dx))
                                    sumX += kx
                                    if dy > 0 {
                                        let ky = exp(scale * Self.squaredDistance(ys, i, j, dy))
                                        sumY += ky
                                        sumJoint += kx * ky
                                    } else if labels[i] == labels[j] {
                                        sumJoint += kx
                                    }
                                }
                                out.value[i] = dy > 0 ? log(sumJoint) - log(sumX) - log(sumY) : log(sumJoint) - log(sumX)
                            }
                        }
                    }
                }
            }
        }
        return terms
    }

    /// `‖z_i - z_j‖²` for rows of width `d`.
    @inline(__always)
    private static func squaredDistance(_ z: UnsafeBufferPointer<Double>, _ i: Int, _ j: Int, _ d: Int) -> Double {
        var squared = 0.0
        for c in 0..<d {
            let difference = z[i * d + c] - z[j * d + c]
            squared += difference * difference
        }
        return squared
    }
}
