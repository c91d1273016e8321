import AudioDatasets
import Foundation

/// The settings of a separator compression run (``SeparatorCompression``), stored in its checkpoint so that
/// `--resume` continues with them.
public struct SeparatorCompressionSettings: Sendable, Equatable, Codable {
    /// The parent model folder.
    public var parent: String
    /// The new model folder written at the end.
    public var out: String
    /// Corpus folders (`sepkws synth mixtures`, LibriMix or WSJ0-mix layout): their train splits give the batches.
    public var data: [String]
    /// The multiply-adds budget as a share `F` of the parent's, in `(0, 1]`.
    public var budget: Double
    /// Optimizer steps in all.
    public var steps: Int
    /// Steps that train the gates (with the network); the rest fine-tune the pruned model.
    public var gateSteps: Int
    /// Mixtures per step.
    public var batchSize = 2
    /// Crop length (s).
    public var cropSeconds = 1.0
    /// Adam's learning rate for the network's weights.
    public var learningRate: Float = 2e-4
    /// The gates' learning rate, as a multiple of ``learningRate`` (at least enough for ``gateLearningRateScale(steps:)``).
    public var gateLearningRateScale: Float = 100
    /// Weight `γ` of the gates' mean information cost `½ ln(1 + μ²/σ²)` per unit (the loss is in dB).
    public var informationWeight: Float = 1
    /// The augmented Lagrangian's `ρ`: the weight of `½(c − F_t)²` and the step of the multiplier's ascent on
    /// `c − F_t` (dB per unit of cost share).
    public var multiplierStep: Float = 10
    /// Share of the loss given to the parent's outputs (negative SI-SNR to them, under PIT); the rest goes to the
    /// references.
    public var distillationWeight: Float = 0.5
    /// Augmentation of the training sources against synthesizer fingerprints (`compress --augment`; as `train-sep
    /// --augment` draws it), or nil for clean crops. The parent hears the augmented mixture too.
    public var augmentation: SourceAugmentationSettings?
    /// The seed of the batches and the gate noise.
    public var seed: UInt64 = 1
    /// Steps between checkpoints.
    public var checkpointEvery = 20
    /// Steps between log rows.
    public var logEvery = 10

    enum CodingKeys: String, CodingKey {
        case parent, out, data, budget, steps, seed, augmentation
        case gateSteps = "gate_steps", batchSize = "batch_size", cropSeconds = "crop_seconds", learningRate = "learning_rate"
        case gateLearningRateScale = "gate_learning_rate_scale", informationWeight = "information_weight"
        case multiplierStep = "multiplier_step", distillationWeight = "distillation_weight"
        case checkpointEvery = "checkpoint_every", logEvery = "log_every"
    }

    /// The gates' learning-rate multiple for a gate phase of `steps` steps: ``gateLearningRateScale``, raised so that
    /// Adam's steps (about the learning rate each) can carry `ln σ²` across its initial margin of 4 below the off
    /// threshold within a quarter of the phase; otherwise a short phase's target outruns the gates, the multiplier
    /// piles up and whole blocks go at once.
    public func gateLearningRateScale(steps: Int) -> Float {
        max(gateLearningRateScale, 16 / Float(max(steps, 1)) / learningRate)
    }

    /// Settings with the defaults; `gateSteps` is half of `steps` unless given.
    public init(parent: String, out: String, data: [String], budget: Double, steps: Int, gateSteps: Int? = nil) {
        self.parent = parent
        self.out = out
        self.data = data
        self.budget = budget
        self.steps = steps
        self.gateSteps = gateSteps ?? steps / 2
    }

    /// Throws the first setting out of range.
    /// - Throws: ``InformationBottleneckError/invalidSetting(name:value:reason:)``.
    public func validate() throws(InformationBottleneckError) {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ reason: String) throws(InformationBottleneckError) {
            if !ok { throw .invalidSetting(name: name, value: "\(value)", reason: reason) }
        }
        try check(budget > 0 && budget <= 1, "--budget", budget, "must be in (0, 1]")
        try check(steps >= 2, "--steps", steps, "must be at least 2")
        try check(gateSteps >= 1 && gateSteps < steps, "--gate-steps", gateSteps, "must be at least 1 and below --steps")
        try check(batchSize >= 1, "--batch-size", batchSize, "must be at least 1")
        try check(cropSeconds > 0 && cropSeconds <= 60, "--crop-seconds", cropSeconds, "must be in (0, 60]")
        try check(learningRate > 0 && learningRate < 1, "--learning-rate", learningRate, "must be in (0, 1)")
        try check(gateLearningRateScale > 0, "gate_learning_rate_scale", gateLearningRateScale, "must be positive")
        try check(informationWeight >= 0 && multiplierStep >= 0, "information_weight", informationWeight, "weights must be non-negative")
        try check((0...1).contains(distillationWeight), "--distillation-weight", distillationWeight, "must be in [0, 1]")
        try check(checkpointEvery >= 1 && logEvery >= 1, "--checkpoint-every", checkpointEvery, "intervals must be at least 1")
        try check(!data.isEmpty, "--data", data, "give at least one corpus folder")
    }
}
