import RealModule

/// A learning rate as a function of the optimizer step (0-based).
public protocol LearningRateSchedule: Sendable {
    /// The learning rate to use for step `step`.
    func learningRate(at step: Int) -> Float
}

/// Linear warm-up from 0 to `peak` over `warmupSteps`, then cosine decay to `minimum` at `totalSteps`
/// (constant `minimum` afterwards).
public struct WarmupCosineSchedule: LearningRateSchedule {
    /// The rate at the end of warm-up.
    public let peak: Float
    /// Warm-up length in steps.
    public let warmupSteps: Int
    /// The step at which the decay reaches `minimum`.
    public let totalSteps: Int
    /// The final rate.
    public let minimum: Float

    /// A warm-up + cosine schedule.
    public init(peak: Float, warmupSteps: Int, totalSteps: Int, minimum: Float = 0) {
        precondition(warmupSteps >= 0 && totalSteps > warmupSteps, "WarmupCosineSchedule: need 0 <= warmup < total")
        self.peak = peak; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps; self.minimum = minimum
    }

    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let progress = min(1, Double(step - warmupSteps) / Double(totalSteps - warmupSteps))
        return minimum + (peak - minimum) * Float(0.5 * (1 + Double.cos(Double.pi * progress)))
    }
}

/// Multiplies the rate by `gamma` every `stepSize` steps (PyTorch `StepLR`).
public struct StepSchedule: LearningRateSchedule {
    /// The starting rate.
    public let initial: Float
    /// Steps between decays.
    public let stepSize: Int
    /// The decay factor.
    public let gamma: Float

    /// A step schedule.
    public init(initial: Float, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepSchedule: stepSize must be positive")
        self.initial = initial; self.stepSize = stepSize; self.gamma = gamma
    }

    public func learningRate(at step: Int) -> Float { initial * Float.pow(gamma, step / stepSize) }
}

/// Multiplies the rate by `factor` (0.5: halves it) after `patience` consecutive evaluations without a new
/// best loss (MossFormer2's recipe: patience 5, factor 0.5). Note PyTorch's `ReduceLROnPlateau` decays one
/// evaluation later (when the count *exceeds* its patience).
/// Its state is a small `Codable` value, so a training checkpoint can store it.
public struct HalveOnPlateau: Sendable, Codable, Equatable {
    /// The current rate.
    public private(set) var learningRate: Float
    /// The best loss seen.
    public private(set) var best: Float = .infinity
    /// Evaluations since the last improvement.
    public private(set) var badEvaluations = 0
    /// Evaluations without improvement before a decay.
    public let patience: Int
    /// The decay factor (0.5 halves).
    public let factor: Float
    /// The smallest rate.
    public let minimum: Float

    /// A plateau schedule.
    public init(initial: Float, patience: Int = 5, factor: Float = 0.5, minimum: Float = 0) {
        self.learningRate = initial; self.patience = patience; self.factor = factor; self.minimum = minimum
    }

    /// Sets the rate by hand (a resumed run's `--learning-rate`): the count of evaluations without improvement starts
    /// again, the best loss is kept.
    /// - Parameter learningRate: the new rate (at least ``minimum``).
    public mutating func restart(at learningRate: Float) {
        self.learningRate = max(minimum, learningRate)
        badEvaluations = 0
    }

    /// Records one evaluation loss.
    /// - Returns: true when this evaluation improved on the best loss.
    @discardableResult
    public mutating func record(loss: Float) -> Bool {
        if loss < best {
            best = loss
            badEvaluations = 0
            return true
        }
        badEvaluations += 1
        if badEvaluations > patience - 1 {
            learningRate = max(minimum, learningRate * factor)
            badEvaluations = 0
        }
        return false
    }
}
