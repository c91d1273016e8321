import InformationBottleneck
import TensorCore
import Testing

@Suite("Budget constraint of the gate phase")
struct BudgetConstraintTests {
    @Test func theTargetRampsFromOneToTheBudgetOverHalfTheGateSteps() {
        let c = BudgetConstraint(budget: 0.4, gateSteps: 100, rho: 2)
        #expect(abs(c.target(step: 0) - (1 - 0.6 / 50)) < 1e-12)
        #expect(abs(c.target(step: 24) - 0.7) < 1e-12)
        #expect(c.target(step: 49) == 0.4 && c.target(step: 99) == 0.4)
    }

    @Test func thePenaltyIsTheAugmentedLagrangianAndTheMultiplierFollowsTheViolation() {
        var c = BudgetConstraint(budget: 0.5, gateSteps: 2, rho: 4, multiplier: 3)   // target 0.5 from step 0
        let cost = Tensor([0.75], shape: [], requiresGrad: true)
        let penalty = c.penalty(cost: cost, step: 0)
        #expect(abs(penalty.item - (3 * 0.25 + 2 * 0.0625)) < 1e-6)
        penalty.backward()
        #expect(abs(cost.grad!.item - (3 + 4 * 0.25)) < 1e-6)   // λ + ρ v
        c.ascend(cost: 0.75, step: 0)
        #expect(c.multiplier == 4)
        c.ascend(cost: 0.25, step: 1)                           // under budget: the multiplier falls, below 0 too
        #expect(c.multiplier == 3)
        for _ in 0..<2 { c.ascend(cost: 0, step: 1) }
        #expect(c.multiplier == -1)
    }
}
