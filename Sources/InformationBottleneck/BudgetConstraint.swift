import TensorCore

/// The multiply-adds budget of a gate phase (both compressors): an augmented Lagrangian
/// `λ · (c − F_t) + ρ/2 · (c − F_t)²` on the gates' expected cost share `c` (a differentiable scalar), the target
/// `F_t` going from 1 down to the budget `F` linearly over the first half of the gate steps, then `F`; after each
/// step the multiplier ascends, `λ ← λ + ρ · (c − F_t)` (it may turn negative, so the budget is spent rather than
/// undercut). A target that jumps to `F` at once overshoots: the multiplier piles up while the gates lag, then whole
/// layers or blocks go together and the network has to relearn what they did.
///
/// ```swift
/// var constraint = BudgetConstraint(budget: 0.5, gateSteps: 1_000, rho: 10)
/// let loss = task + constraint.penalty(cost: gated.expectedCostShare(), step: i)
/// constraint.ascend(cost: cost.item, step: i)
/// ```
public struct BudgetConstraint: Sendable, Equatable {
    /// `F`, the share of the parent's multiply-adds, in `(0, 1]`.
    public let budget: Double
    /// Steps of the gate phase (the ramp takes the first half).
    public let gateSteps: Int
    /// `ρ`: the quadratic weight and the multiplier's step.
    public let rho: Float
    /// `λ`.
    public var multiplier: Float

    public init(budget: Double, gateSteps: Int, rho: Float, multiplier: Float = 0) {
        (self.budget, self.gateSteps, self.rho, self.multiplier) = (budget, gateSteps, rho, multiplier)
    }

    /// `F_t` at gate step `step` (0-based): `1 − (1 − F) · min(1, (step + 1) / ⌈gateSteps/2⌉)`.
    public func target(step: Int) -> Double {
        let ramp = max(1, gateSteps / 2)
        return 1 - (1 - budget) * min(1, Double(step + 1) / Double(ramp))
    }

    /// `λ · v + ρ/2 · v²` with `v = cost − F_t`, a scalar tensor carrying `cost`'s gradient.
    public func penalty(cost: Tensor, step: Int) -> Tensor {
        let violation = cost - Float(target(step: step))
        return violation * multiplier + violation.squared() * (rho / 2)
    }

    /// The multiplier's ascent after step `step`, given the step's expected cost share.
    public mutating func ascend(cost: Float, step: Int) {
        multiplier += rho * (cost - Float(target(step: step)))
    }
}
