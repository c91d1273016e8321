import Foundation
import TensorCore

/// Multiplicative noisy gates on a group of structural units (VIBNet, Dai et al. 2018): unit `u` is scaled by
/// `z_u = μ_u + σ_u·ε`, `ε ~ N(0, 1)` drawn per example, during training and by `μ_u` otherwise. The information
/// cost of a unit is the bound `½ ln(1 + μ_u²/σ_u²)`; `ln α_u = ln(μ_u²/σ_u²)` says how much of the unit's signal
/// survives the noise: a gate is *off* when `ln α_u < 0` (more noise than signal), and such units are pruned.
///
/// Parameters: `mean [U]` (initially 1) and `log_variance [U]` (initially −4, `σ ≈ 0.14`).
public final class StructuralGates {
    /// What the units are (`ffn.<layer>`, `layers`, `bottleneck`).
    public let name: String
    /// `μ [U]`.
    public let mean: Tensor
    /// `ln σ² [U]`.
    public let logVariance: Tensor

    /// Whether the means are trained (otherwise they stay 1 and only the noise is learned: Gaussian dropout with a
    /// learned rate per unit, for units whose mean cannot be folded into the kept weights).
    public let learnsMean: Bool

    /// `units` gates, all on.
    /// - Parameter learnsMean: false keeps `μ = 1` (then `ln α = −ln σ²`, and a unit is off when `σ > 1`).
    public init(name: String, units: Int, learnsMean: Bool = true) {
        self.name = name
        self.learnsMean = learnsMean
        mean = Tensor.ones([units], requiresGrad: learnsMean)
        logVariance = Tensor.full([units], value: -4, requiresGrad: true)
    }

    /// Number of units `U`.
    public var count: Int { mean.count }

    /// The gate values for a batch: `[B, U]` samples `μ + σ·ε` when `noise` is given, else `μ` as `[1, U]`.
    public func values(batch: Int, noise rng: inout SplitMix64?) -> Tensor {
        let mu = mean.reshaped([1, count])
        guard var generator = rng else { return mu }
        let epsilon = Tensor.randomNormal([batch, count], using: &generator)
        rng = generator
        return mu + (logVariance.reshaped([1, count]) * 0.5).exp() * epsilon
    }

    /// `Σ_u ½ ln(1 + μ_u²/σ_u²)`: a scalar.
    public func informationCost() -> Tensor {
        ((mean.squared() * (logVariance * -1).exp()) + 1).log().sum() * 0.5
    }

    /// `ln α_u = ln μ_u² − ln σ_u²` per unit, `[U]` values.
    public var logAlpha: [Float] {
        zip(mean.scalars, logVariance.scalars).map { Foundation.log(max($0 * $0, 1e-30)) - $1 }
    }

    /// Soft keep probabilities `sigmoid(ln α_u)` as a differentiable `[U]` tensor (for the expected cost).
    public func keepProbabilities() -> Tensor {
        ((mean.squared() + 1e-12).log() - logVariance).sigmoid()
    }

    /// The named trainable parameters (`gates.<name>.mean` unless fixed, `gates.<name>.log_variance`).
    public var namedParameters: [(String, Tensor)] {
        (learnsMean ? [("gates.\(name).mean", mean)] : []) + [("gates.\(name).log_variance", logVariance)]
    }
}
