import NN
import TensorCore

/// The label-free pretraining model: ``KWSEncoder`` plus a reconstruction head (`D -> M`, the time-averaged
/// log-mel) and a projection MLP (`D -> hidden -> P`, ReLU) for NT-Xent.
///
/// Keys: `encoder.*`, `reconstruction.weight [M, D]`, `reconstruction.bias`, `projection.0.*`, `projection.2.*`.
public final class KWSPretrainingModel: Layer {
    /// The encoder (what fine-tuning keeps).
    public let encoder: KWSEncoder
    /// `D -> M`.
    public let reconstruction: Linear
    /// `D -> hidden -> P`.
    public let projection: Sequential
    /// Training flag.
    public var isTraining = true

    /// A model with seeded random weights.
    public init(configuration c: KWSConfiguration, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        encoder = KWSEncoder(configuration: c, rng: &rng)
        reconstruction = Linear(inputFeatures: c.bottleneckDimension, outputFeatures: c.frontEnd.melCount, rng: &rng)
        projection = Sequential([
            Linear(inputFeatures: c.bottleneckDimension, outputFeatures: c.projectionHidden, rng: &rng), Activation(.relu),
            Linear(inputFeatures: c.projectionHidden, outputFeatures: c.projectionDimension, rng: &rng),
        ])
    }

    public var children: [(name: String, layer: any Layer)] {
        [("encoder", encoder), ("reconstruction", reconstruction), ("projection", projection)]
    }

    /// The pretraining losses of a batch of view pairs.
    /// - Parameters:
    ///   - view1: log-mel of the first views `[N, T, M]`.
    ///   - view2: log-mel of the second views `[N, T, M]` (row `i` pairs with row `i` of `view1`).
    ///   - weights: loss weights and temperature.
    ///   - dropoutSeed: seeds training-time dropout.
    /// - Returns: the weighted total `[]` and the unweighted parts.
    public func losses(view1: Tensor, view2: Tensor, weights: PretrainingLossWeights, dropoutSeed: UInt64?)
        -> (total: Tensor, invariance: Float, reconstruction: Float, contrastive: Float)
    {
        let n = view1.shape[0]
        let both = Tensor.concatenated([view1, view2], axis: 0)                     // [2N, T, M]
        let z = encoder(both, dropoutSeed: dropoutSeed)                              // [2N, D]
        let z1 = z.sliced(axis: 0, 0..<n), z2 = z.sliced(axis: 0, n..<(2 * n))
        let invariance = Losses.meanSquaredError(z1, z2)
        let target = encoder.averagedInput(both).detached()                          // [2N, M]
        let reconstruction = Losses.meanSquaredError(self.reconstruction(z.gelu()), target) * 2   // sum of the two views' MSEs
        let contrastive = Losses.ntXent(projection(z), temperature: weights.temperature)
        let total = invariance * weights.invariance + reconstruction * weights.reconstruction + contrastive * weights.contrastive
        return (total, invariance.item, reconstruction.item, contrastive.item)
    }
}
