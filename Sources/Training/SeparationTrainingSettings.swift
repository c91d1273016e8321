import AudioDatasets
import Separation

/// Everything that defines a separator training run; saved in its checkpoint so `--resume` rebuilds the same run.
public struct SeparationTrainingSettings: Sendable, Codable, Equatable {
    /// The model's sizes.
    public var model: MossFormer2Configuration
    /// Corpus folders (LibriMix layout made by `sepkws synth mixtures`, LibriMix, or WSJ0-mix).
    public var data: [String]
    /// Draw training examples by dynamic mixing of the corpora's single-talker pools (else fixed mixtures).
    public var dynamicMixing: Bool
    /// Training crop length (seconds).
    public var cropSeconds: Double
    /// Examples per step.
    public var batchSize: Int
    /// Optimizer steps in all.
    public var totalSteps: Int
    /// Adam learning rate at the start (halved when validation stalls).
    public var learningRate: Float
    /// Global gradient-norm clip (reference recipe: 10).
    public var gradientClip: Float
    /// Validations without improvement before the rate is halved.
    public var patience: Int
    /// Dev mixtures scored at each validation.
    public var validationCount: Int
    /// Seconds of each dev mixture scored (from its start); 0 scores whole mixtures.
    public var validationSeconds: Double
    /// Seeds the data order, initial weights and dropout.
    public var seed: UInt64
    /// Dropout of every FFConvM and attention matrix (reference: 0.1).
    public var dropout: Float
    /// A model directory whose weights start the run (fine-tuning); nil starts from random weights.
    public var initialization: String?
    /// The factor on the loss (the batch's mean negative SI-SNR) before back-propagation: 1 in new runs. Runs started
    /// before session 6 divided it a second time by batch × speakers, so gradient clipping almost never acted; their
    /// checkpoints lack the key (nil) and keep that scale so that they resume exactly.
    public var lossScale: Float?
    /// The decay of the exponential moving average of the weights that validation scores and `RUN/model` exports
    /// (for example 0.999); nil validates and exports the raw weights. The optimizer's steps are the same either way.
    public var averageDecay: Float?
    /// Flip the sign of each training source at random (each with probability 1/2), so the model separates
    /// recordings of either polarity: synthetic speech has one, and a model trained on it alone separates the
    /// negated mixture by a few dB only. True in new runs; checkpoints written before session 12 lack the key (nil:
    /// off) and keep their batches so that they resume exactly.
    public var randomPolarity: Bool?
    /// Augmentation of the training examples against the synthesizers' fingerprints (speed, equalizer, room,
    /// band limit on the sources; noise, clipping, codec on the mixture), drawn from each step's generator; nil:
    /// none. Off unless asked for (`train-sep --augment`); checkpoints written before it existed lack the key and
    /// keep their batches.
    public var augmentation: SourceAugmentationSettings?
    /// Steps between checkpoints, log rows and validations, so that `--resume` keeps the intervals the run was given.
    /// Checkpoints written before they were stored lack them (nil: the command's defaults).
    public var checkpointEvery: Int?
    public var logEvery: Int?
    public var validateEvery: Int?

    public init(model: MossFormer2Configuration, data: [String], dynamicMixing: Bool = true, cropSeconds: Double = 2,
                batchSize: Int = 4, totalSteps: Int = 20_000, learningRate: Float = 5e-4, gradientClip: Float = 10,
                patience: Int = 4, validationCount: Int = 32, validationSeconds: Double = 4, seed: UInt64 = 777, dropout: Float = 0.1,
                initialization: String? = nil, averageDecay: Float? = nil, randomPolarity: Bool = true,
                augmentation: SourceAugmentationSettings? = nil) {
        self.model = model
        self.data = data
        self.dynamicMixing = dynamicMixing
        self.cropSeconds = cropSeconds
        self.batchSize = batchSize
        self.totalSteps = totalSteps
        self.learningRate = learningRate
        self.gradientClip = gradientClip
        self.patience = patience
        self.validationCount = validationCount
        self.validationSeconds = validationSeconds
        self.seed = seed
        self.dropout = dropout
        self.initialization = initialization
        self.lossScale = 1
        self.averageDecay = averageDecay
        self.randomPolarity = randomPolarity
        self.augmentation = augmentation
    }
}
