/// What a training checkpoint stores besides tensors: enough to continue exactly where the run stopped.
public struct TrainingState: Sendable, Equatable {
    /// Optimizer steps completed.
    public var step: Int
    /// The state of the trainer's ``TensorCore/SplitMix64`` (the generator every step's randomness is drawn from).
    public var randomState: UInt64
    /// The run's settings as JSON (the trainer's own `Codable` settings; read back on `--resume`).
    public var configuration: String
    /// Other small values a trainer keeps (learning-rate schedule state, best validation score), as strings.
    public var extra: [String: String]

    /// A state.
    /// - Parameters:
    ///   - step: optimizer steps completed.
    ///   - randomState: the trainer generator's state.
    ///   - configuration: the run settings (JSON).
    ///   - extra: other values by name.
    public init(step: Int, randomState: UInt64, configuration: String, extra: [String: String] = [:]) {
        self.step = step
        self.randomState = randomState
        self.configuration = configuration
        self.extra = extra
    }
}
