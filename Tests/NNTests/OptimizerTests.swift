import NN
import Testing
import TensorCore
import TestSupport

@Suite("Optimizers and schedules")
struct OptimizerTests {
    @Test func adamFirstTwoStepsMatchHandComputation() {
        let p = Tensor([1, -2], shape: [2], requiresGrad: true)
        let adam = Adam(parameters: [("p", p)], learningRate: 0.1)
        p.grad = Tensor([0.5, -4], shape: [2])
        adam.step()
        // Step 1: m = 0.1g, v = 0.001g², m̂ = g, v̂ = g²: p -= 0.1 · g/(|g| + 1e-8).
        #expect(Swift.abs(p.scalars[0] - 0.9) < 1e-6 && Swift.abs(p.scalars[1] + 1.9) < 1e-6)
        p.grad = Tensor([0.5, -4], shape: [2])
        adam.step()
        // Same gradient again: m̂ = g, v̂ = g² -> another step of lr·sign(g).
        #expect(Swift.abs(p.scalars[0] - 0.8) < 1e-5 && Swift.abs(p.scalars[1] + 1.8) < 1e-5)
    }

    @Test func adamWDecaysWeightsDecoupled() {
        let p = Tensor([2], shape: [1], requiresGrad: true)
        let opt = Adam.adamW(parameters: [("p", p)], learningRate: 0.1, weightDecay: 0.5)
        p.grad = Tensor([0], shape: [1])
        opt.step()
        #expect(Swift.abs(p.item - 2 * (1 - 0.05)) < 1e-6)   // zero gradient: only the decay acts
    }

    @Test func learningRateScalesActPerParameterAndZeroFreezes() {
        let encoder = Tensor([1, -2], shape: [2], requiresGrad: true)
        let head = Tensor([1, -2], shape: [2], requiresGrad: true)
        let frozen = Tensor([3], shape: [1], requiresGrad: true)
        let opt = Adam.adamW(parameters: [("encoder.w", encoder), ("head.w", head), ("encoder.frozen", frozen)], learningRate: 0.1, weightDecay: 0.5)
        #expect(opt.setLearningRateScale(0.1, where: { $0 == "encoder.w" }) == 1)
        #expect(opt.setLearningRateScale(0, where: { $0.hasSuffix("frozen") }) == 1)
        for t in [encoder, head, frozen] { t.grad = Tensor([Float](repeating: 0.5, count: t.count), shape: t.shape) }
        opt.step()
        // First step: p·(1 − lr·wd) − lr·sign(g), with lr scaled per parameter; the frozen one does not move.
        #expect(TensorAssertions.maxRelativeError(head.scalars, [1 * 0.95 - 0.1, -2 * 0.95 - 0.1]) < 1e-6)
        #expect(TensorAssertions.maxRelativeError(encoder.scalars, [1 * 0.995 - 0.01, -2 * 0.995 - 0.01]) < 1e-6)
        #expect(frozen.scalars == [3])
        #expect(opt.learningRateScales == [0.1, 1, 0])
    }

    @Test func sgdMomentumMatchesHandComputation() {
        let p = Tensor([1], shape: [1], requiresGrad: true)
        let sgd = SGD(parameters: [("p", p)], learningRate: 0.1, momentum: 0.9)
        p.grad = Tensor([1], shape: [1]); sgd.step()       // buf = 1, p = 0.9
        p.grad = Tensor([1], shape: [1]); sgd.step()       // buf = 1.9, p = 0.71
        #expect(Swift.abs(p.item - 0.71) < 1e-6)
    }

    @Test func adamConvergesOnAQuadratic() {
        let target = Tensor([3, -1, 0.5], shape: [3])
        let p = Tensor.zeros([3], requiresGrad: true)
        let adam = Adam(parameters: [("p", p)], learningRate: 0.1)
        for _ in 0..<300 {
            adam.zeroGrad()
            (p - target).squared().sum().backward()
            adam.step()
        }
        #expect(TensorAssertions.maxRelativeError(p.scalars, target.scalars) < 1e-2)
    }

    @Test func exportedStateResumesTheExactTrajectory() throws {
        func makeRun() -> (Tensor, Adam) {
            let p = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
            return (p, Adam(parameters: [("w", p)], learningRate: 0.05))
        }
        func train(_ p: Tensor, _ opt: Adam, steps: Int) {
            for _ in 0..<steps { opt.zeroGrad(); (p * p * p).sum().backward(); opt.step() }
        }
        let (p1, o1) = makeRun()
        train(p1, o1, steps: 6)
        let (p2, o2) = makeRun()
        train(p2, o2, steps: 3)
        let (p3, o3) = makeRun()
        p3.assign(p2.scalars)
        try o3.loadState(o2.stateTensors())
        #expect(o3.stepCount == 3)
        train(p3, o3, steps: 3)
        #expect(p3.scalars == p1.scalars)
        #expect(throws: CheckpointError.invalidState("'step' is missing or not a scalar")) { try o3.loadState([:]) }
    }

    @Test func movingAverageFollowsTheWeightsAndLeavesThemAlone() throws {
        let p = Tensor([1, -2], shape: [2], requiresGrad: true), q = Tensor([4], shape: [1], requiresGrad: true)
        let average = ExponentialMovingAverage(parameters: [("p", p), ("q", q)], decay: 0.75)
        p.assign([3, 2]); average.update()              // 0.75 * 1 + 0.25 * 3 = 1.5; 0.75 * -2 + 0.25 * 2 = -1
        p.assign([5, 2]); q.assign([0]); average.update()  // 0.75 * 1.5 + 0.25 * 5 = 2.375; -0.25; q: 4, then 3
        let seen = average.withAveragedWeights { (p.scalars, q.scalars) }
        #expect(seen.0 == [2.375, -0.25] && seen.1 == [3])
        #expect(p.scalars == [5, 2] && q.scalars == [0])   // the raw weights are back
        struct Failure: Error {}
        #expect(throws: Failure.self) { try average.withAveragedWeights { throw Failure() } }
        #expect(p.scalars == [5, 2])
        // The state round-trips; a state of other keys or shapes is refused and changes nothing.
        let restored = ExponentialMovingAverage(parameters: [("p", p), ("q", q)], decay: 0.75)
        try restored.loadState(average.stateTensors())
        #expect(restored.withAveragedWeights { p.scalars } == [2.375, -0.25])
        #expect(throws: CheckpointError.self) { try restored.loadState(["p": Tensor([1, 2], shape: [2])]) }
        #expect(throws: CheckpointError.self) {
            try restored.loadState(["p": Tensor([1, 2, 3], shape: [3]), "q": Tensor([1], shape: [1])])
        }
        #expect(restored.withAveragedWeights { q.scalars } == [3])
    }

    /// Warmed up, the average takes most of each early step's weights and reaches the full decay after ~10,000 steps.
    @Test func movingAverageWarmsUp() {
        let p = Tensor([0], shape: [1], requiresGrad: true)
        let average = ExponentialMovingAverage(parameters: [("p", p)], decay: 0.999)
        #expect(average.decay(afterSteps: 0) == 0.1 && average.decay(afterSteps: 90) == 0.91)
        #expect(average.decay(afterSteps: 100_000) == 0.999)
        p.assign([10]); average.update(step: 0)   // 0.1 * 0 + 0.9 * 10 = 9
        #expect(abs(average.withAveragedWeights { p.scalars[0] } - 9) < 1e-5)
        // After 1,000 steps toward 1, the starting weight 0 is forgotten (at the full decay 37% of it would remain).
        p.assign([1])
        for step in 1...1_000 { average.update(step: step) }
        #expect(abs(average.withAveragedWeights { p.scalars[0] } - 1) < 0.01)
    }

    @Test func clipGradNormScalesToTheLimit() {
        let a = Tensor([0, 0], shape: [2], requiresGrad: true), b = Tensor([0], shape: [1], requiresGrad: true)
        a.grad = Tensor([3, 0], shape: [2]); b.grad = Tensor([4], shape: [1])
        let norm = clipGradNorm([("a", a), ("b", b)], maxNorm: 1)
        #expect(norm == 5)
        #expect(Swift.abs(a.grad!.scalars[0] - 0.6) < 1e-5 && Swift.abs(b.grad!.scalars[0] - 0.8) < 1e-5)
    }

    @Test func schedules() {
        let cosine = WarmupCosineSchedule(peak: 1, warmupSteps: 4, totalSteps: 14, minimum: 0.1)
        #expect(cosine.learningRate(at: 0) == 0.25 && cosine.learningRate(at: 3) == 1)
        #expect(Swift.abs(cosine.learningRate(at: 9) - 0.55) < 1e-6)      // half way: (1 + 0.1) / 2
        #expect(cosine.learningRate(at: 100) == 0.1)
        let step = StepSchedule(initial: 1, stepSize: 10, gamma: 0.5)
        #expect(step.learningRate(at: 9) == 1 && step.learningRate(at: 25) == 0.25)
        var plateau = HalveOnPlateau(initial: 1, patience: 2)
        plateau.record(loss: 1); plateau.record(loss: 1.1)
        #expect(plateau.learningRate == 1)
        plateau.record(loss: 1.2)
        #expect(plateau.learningRate == 0.5)
        #expect(plateau.record(loss: 0.5) && plateau.learningRate == 0.5)
    }
}
