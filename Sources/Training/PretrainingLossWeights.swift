/// The weights of the label-free pretraining losses (CAB-KWS.md): invariance (MSE between the two views'
/// bottlenecks), reconstruction (each view predicts its own time-averaged log-mel; the weight applies per view),
/// NT-Xent on the projections at a temperature, and (ours, off by default) masked-frame reconstruction: each
/// Transformer token predicts the unmasked log-mel frames it covers from a masked view; masked-unit prediction
/// (ours, HuBERT-style, off by default): each token predicts the acoustic unit (``AcousticUnitCodebook``) of each
/// unmasked frame it covers, weighted separately on frames the view hides and on frames it shows (HuBERT's α);
/// SimSiam (ours, off by default): a predictor pulls each view's projection toward the other's, with no negatives.
public struct PretrainingLossWeights: Sendable, Codable, Equatable {
    /// Invariance weight (paper 0.8).
    public var invariance: Float
    /// Reconstruction weight per view (paper 0.05).
    public var reconstruction: Float
    /// NT-Xent weight (paper 0.1 within its mix; ours is larger, since it is the only contrastive term).
    public var contrastive: Float
    /// NT-Xent temperature.
    public var temperature: Float
    /// Masked-frame reconstruction weight (0: off, and the model has no frame decoder).
    public var maskedFrames: Float
    /// Weight of unit prediction on hidden (time-masked) frames.
    public var maskedUnits: Float
    /// Weight of unit prediction on visible frames (with ``maskedUnits`` both 0: off, and the model has no unit decoder).
    public var visibleUnits: Float
    /// Weight of the SimSiam loss (0: off, and the model has no predictor).
    public var siamese: Float

    enum CodingKeys: String, CodingKey {
        case invariance, reconstruction, contrastive, temperature, maskedFrames = "masked_frames", maskedUnits = "masked_units"
        case visibleUnits = "visible_units", siamese
    }

    /// Weights; the defaults are the CAB-KWS mix of CAB-KWS.md (masked-frame reconstruction off).
    public init(invariance: Float = 0.8, reconstruction: Float = 0.05, contrastive: Float = 1, temperature: Float = 0.2,
                maskedFrames: Float = 0, maskedUnits: Float = 0, visibleUnits: Float = 0, siamese: Float = 0) {
        self.invariance = invariance
        self.reconstruction = reconstruction
        self.contrastive = contrastive
        self.temperature = temperature
        self.maskedFrames = maskedFrames
        self.maskedUnits = maskedUnits
        self.visibleUnits = visibleUnits
        self.siamese = siamese
    }

    /// Whether any unit loss is on (the model then has a unit decoder and a codebook).
    public var predictsUnits: Bool { maskedUnits > 0 || visibleUnits > 0 }

    /// The default recipe of `sepkws pretrain`: masked-frame reconstruction alone. On our keyword audio it beat the
    /// CAB-KWS mix, alone or added to it (see the kws-cab-12 model card).
    public static let maskedFramesOnly = PretrainingLossWeights(invariance: 0, reconstruction: 0, contrastive: 0, maskedFrames: 1)

    /// Decodes weights; runs saved before masked-frame reconstruction, masked-unit prediction or SimSiam existed read
    /// them as 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(invariance: try c.decode(Float.self, forKey: .invariance), reconstruction: try c.decode(Float.self, forKey: .reconstruction),
                  contrastive: try c.decode(Float.self, forKey: .contrastive), temperature: try c.decode(Float.self, forKey: .temperature),
                  maskedFrames: try c.decodeIfPresent(Float.self, forKey: .maskedFrames) ?? 0,
                  maskedUnits: try c.decodeIfPresent(Float.self, forKey: .maskedUnits) ?? 0,
                  visibleUnits: try c.decodeIfPresent(Float.self, forKey: .visibleUnits) ?? 0,
                  siamese: try c.decodeIfPresent(Float.self, forKey: .siamese) ?? 0)
    }
}
