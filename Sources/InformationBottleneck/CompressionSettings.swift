/// The knobs of ``KWSCompressor``.
public struct CompressionSettings: Sendable, Equatable, Codable {
    /// The multiply-adds budget as a share `F` of the parent's, in `(0, 1]`.
    public var budget: Double
    /// Optimizer steps in all: the first ``gateSteps`` train the gates (with the network), the rest fine-tune the pruned model.
    public var steps: Int
    /// Steps of the gate phase, or nil for half of ``steps`` (`compress --gate-steps`).
    public var gateSteps: Int?
    /// Clips per step.
    public var batchSize: Int
    /// Adam's learning rate.
    public var learningRate: Float
    /// Weight `γ` of the gates' mean information cost `½ ln(1 + μ²/σ²)` per unit.
    public var informationWeight: Float
    /// `ρ` of the budget's augmented Lagrangian (``BudgetConstraint``): the quadratic weight and the multiplier's step.
    public var multiplierStep: Float
    /// Softening temperature `τ` of the distillation from the parent.
    public var temperature: Float
    /// Training clips kept in memory (drawn from the data's train splits).
    public var clips: Int
    /// The seed of the clip draw, batches and gate noise.
    public var seed: UInt64
    /// Keyword spotters: distil on fresh training windows drawn this way every step (`compress --augment`), or nil
    /// for the fixed ``clips`` (which then only measure the child's agreement with the parent).
    public var windows: DistillationWindows?

    /// The gate phase's length: ``gateSteps``, or half of ``steps``.
    public var gatePhaseSteps: Int { gateSteps ?? steps / 2 }

    /// The defaults, with any of them overridden.
    public init(budget: Double, steps: Int = 400, batchSize: Int = 32, learningRate: Float = 1e-3, informationWeight: Float = 0.01,
                multiplierStep: Float = 0.5, temperature: Float = 2, clips: Int = 8192, seed: UInt64 = 1) {
        self.budget = budget
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.informationWeight = informationWeight
        self.multiplierStep = multiplierStep
        self.temperature = temperature
        self.clips = clips
        self.seed = seed
    }

    /// Throws the first setting out of range.
    /// - Throws: ``InformationBottleneckError/invalidSetting(name:value:reason:)``.
    public func validate() throws(InformationBottleneckError) {
        guard budget > 0, budget <= 1 else { throw .invalidSetting(name: "--budget", value: "\(budget)", reason: "must be in (0, 1]") }
        guard steps >= 2 else { throw .invalidSetting(name: "--steps", value: "\(steps)", reason: "must be at least 2") }
        if let gateSteps, !(1..<steps).contains(gateSteps) {
            throw .invalidSetting(name: "--gate-steps", value: "\(gateSteps)", reason: "must be at least 1 and below --steps")
        }
        guard batchSize >= 1 else { throw .invalidSetting(name: "--batch-size", value: "\(batchSize)", reason: "must be at least 1") }
        guard clips >= 1 else { throw .invalidSetting(name: "--clips", value: "\(clips)", reason: "must be at least 1") }
        guard learningRate > 0, learningRate < 1 else {
            throw .invalidSetting(name: "--learning-rate", value: "\(learningRate)", reason: "must be in (0, 1)")
        }
        guard temperature > 0, informationWeight >= 0, multiplierStep >= 0 else {
            throw .invalidSetting(name: "temperature", value: "\(temperature)", reason: "temperature must be positive, weights non-negative")
        }
    }
}
