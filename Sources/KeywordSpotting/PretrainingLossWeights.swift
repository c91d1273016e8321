/// The weights of the label-free pretraining losses (CAB-KWS.md): invariance (MSE between the two views'
/// bottlenecks), reconstruction (each view predicts its own time-averaged log-mel; the weight applies per view)
/// and NT-Xent on the projections at a temperature.
public struct PretrainingLossWeights: Sendable, Codable, Equatable {
    /// Invariance weight (paper 0.8).
    public var invariance: Float
    /// Reconstruction weight per view (paper 0.05).
    public var reconstruction: Float
    /// NT-Xent weight (paper 0.1 within its mix; ours is larger, since it is the only contrastive term).
    public var contrastive: Float
    /// NT-Xent temperature.
    public var temperature: Float

    /// Weights.
    public init(invariance: Float = 0.8, reconstruction: Float = 0.05, contrastive: Float = 1, temperature: Float = 0.2) {
        self.invariance = invariance
        self.reconstruction = reconstruction
        self.contrastive = contrastive
        self.temperature = temperature
    }
}
