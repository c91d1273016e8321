import KeywordSpotting
import NN
import TensorCore

/// The label-free pretraining model: ``KWSEncoder`` plus a reconstruction head (`D -> M`, the time-averaged
/// log-mel), a projection MLP (`D -> hidden -> P`, ReLU) for NT-Xent and, when masked-frame reconstruction is on,
/// a frame decoder (`E -> F·M`: each token's `F` = ``KWSEncoder/framesPerToken`` log-mel frames) and, when
/// masked-unit prediction is on, a unit decoder (`E -> F·K`: logits of the acoustic unit of each of those frames)
/// with its ``AcousticUnitCodebook`` (`K` centroids of normalized log-mel frames, fitted before training). As in
/// HuBERT, the unit loss is split between hidden frames (time-masked: every bin equals `input_mean`, the fill of
/// ``SpectrogramMasking``) and visible ones, each with its own weight; and, when SimSiam is on, its own projector
/// (`D -> hidden -> P`, batch-standardized after each linear) and a predictor (`P -> P/2 -> P`, batch-standardized
/// hidden layer), as in SimSiam.
///
/// Keys: `encoder.*`, `reconstruction.weight [M, D]`, `reconstruction.bias`, `projection.0.*`, `projection.2.*`,
/// `frame_decoder.weight [F·M, E]`, `frame_decoder.bias` when present, and `unit_decoder.weight [F·K, E]`,
/// `unit_decoder.bias`, `unit_codebook [K, M]` (a buffer: saved, not trained) when present, and
/// `siamese_projector.{0,3}.*`, `predictor.{0,3}.*` when present.
public final class KWSPretrainingModel: Layer {
    /// The encoder (what fine-tuning keeps).
    public let encoder: KWSEncoder
    /// `D -> M`.
    public let reconstruction: Linear
    /// `D -> hidden -> P`.
    public let projection: Sequential
    /// `E -> F·M`, or nil (masked-frame reconstruction off).
    public let frameDecoder: Linear?
    /// `E -> F·K`, or nil (masked-unit prediction off).
    public let unitDecoder: Linear?
    /// SimSiam's projector `D -> hidden -> P`, or nil (SimSiam off).
    public let siameseProjector: Sequential?
    /// SimSiam's predictor `P -> P/2 -> P`, or nil (SimSiam off).
    public let predictor: Sequential?
    /// The units the unit decoder predicts: centroids `[K, M]` (zeros until ``setCodebook(_:)`` or a checkpoint
    /// sets them).
    public private(set) var codebook: AcousticUnitCodebook?
    /// Training flag.
    public var isTraining = true

    /// A model with seeded random weights.
    /// - Parameters:
    ///   - configuration: the encoder's sizes.
    ///   - seed: seeds every weight (the frame decoder draws last, so the other weights do not depend on it).
    ///   - frameDecoder: include the masked-frame reconstruction head.
    ///   - units: include the masked-unit head and a codebook of this many units (0: none; drawn after the
    ///     frame decoder, so no other weight depends on it).
    ///   - siamese: include SimSiam's projector and predictor (drawn last).
    public init(configuration c: KWSConfiguration, seed: UInt64, frameDecoder hasFrameDecoder: Bool = false, units: Int = 0,
                siamese: Bool = false) {
        var rng = SplitMix64(seed: seed)
        encoder = KWSEncoder(configuration: c, rng: &rng)
        reconstruction = Linear(inputFeatures: c.bottleneckDimension, outputFeatures: c.frontEnd.melCount, rng: &rng)
        projection = Sequential([
            Linear(inputFeatures: c.bottleneckDimension, outputFeatures: c.projectionHidden, rng: &rng), Activation(.relu),
            Linear(inputFeatures: c.projectionHidden, outputFeatures: c.projectionDimension, rng: &rng),
        ])
        frameDecoder = hasFrameDecoder
            ? Linear(inputFeatures: c.modelDimension, outputFeatures: encoder.framesPerToken * c.frontEnd.melCount, rng: &rng) : nil
        unitDecoder = units > 0 ? Linear(inputFeatures: c.modelDimension, outputFeatures: encoder.framesPerToken * units, rng: &rng) : nil
        codebook = units > 0 ? AcousticUnitCodebook(centroids: Tensor.zeros([units, c.frontEnd.melCount])) : nil
        let (hidden, p) = (c.projectionHidden, c.projectionDimension)
        siameseProjector = siamese ? Sequential([
            Linear(inputFeatures: c.bottleneckDimension, outputFeatures: hidden, rng: &rng), BatchStandardization(), Activation(.relu),
            Linear(inputFeatures: hidden, outputFeatures: p, rng: &rng), BatchStandardization(),
        ]) : nil
        predictor = siamese ? Sequential([
            Linear(inputFeatures: p, outputFeatures: p / 2, rng: &rng), BatchStandardization(), Activation(.relu),
            Linear(inputFeatures: p / 2, outputFeatures: p, rng: &rng),
        ]) : nil
    }

    /// Replaces the codebook's centroids (same `[K, M]`).
    public func setCodebook(_ fitted: AcousticUnitCodebook) {
        precondition(codebook?.centroids.shape == fitted.centroids.shape, "setCodebook: \(fitted.centroids.shape) for \(codebook?.centroids.shape ?? [])")
        codebook = fitted
    }

    public var localBuffers: [(name: String, tensor: Tensor)] {
        codebook.map { [("unit_codebook", $0.centroids)] } ?? []
    }

    public var children: [(name: String, layer: any Layer)] {
        var list: [(name: String, layer: any Layer)] = [("encoder", encoder), ("reconstruction", reconstruction), ("projection", projection)]
        if let frameDecoder { list.append(("frame_decoder", frameDecoder)) }
        if let unitDecoder { list.append(("unit_decoder", unitDecoder)) }
        if let siameseProjector, let predictor { list += [("siamese_projector", siameseProjector), ("predictor", predictor)] }
        return list
    }

    /// The pretraining losses of a batch of view pairs.
    /// - Parameters:
    ///   - view1: log-mel of the first views `[N, T, M]` (masked, if masking is on).
    ///   - view2: log-mel of the second views `[N, T, M]` (row `i` pairs with row `i` of `view1`).
    ///   - unmasked: both views before masking, `[2N, T, M]` (`view1` rows first): the masked-frame and
    ///     masked-unit target; nil uses the views themselves.
    ///   - weights: loss weights and temperature.
    ///   - dropoutSeed: seeds training-time dropout.
    /// - Returns: the weighted total `[]` and the unweighted parts (`maskedFrames` 0 without a frame decoder,
    ///   `maskedUnits` and `visibleUnits` 0 without a unit decoder, `siamese` 0 without a predictor), and
    ///   `embeddingSpread`, SimSiam's collapse monitor: the standard deviation over the batch of the unit-length
    ///   embeddings `z`, averaged over their `D` dimensions (at most `1/√D`; near 0 when collapsed; 0 without a
    ///   predictor).
    public func losses(view1: Tensor, view2: Tensor, unmasked: Tensor? = nil, weights: PretrainingLossWeights, dropoutSeed: UInt64?)
        -> (total: Tensor, invariance: Float, reconstruction: Float, contrastive: Float, maskedFrames: Float, maskedUnits: Float,
            visibleUnits: Float, siamese: Float, embeddingSpread: Float)
    {
        let n = view1.shape[0]
        let both = Tensor.concatenated([view1, view2], axis: 0)                     // [2N, T, M]
        let (tokens, z) = encoder.encode(both, dropoutSeed: dropoutSeed)             // [2N, T'', E], [2N, D]
        let z1 = z.sliced(axis: 0, 0..<n), z2 = z.sliced(axis: 0, n..<(2 * n))
        let invariance = Losses.meanSquaredError(z1, z2)
        let target = encoder.averagedInput(both).detached()                          // [2N, M]
        let reconstruction = Losses.meanSquaredError(self.reconstruction(z.gelu()), target) * 2   // sum of the two views' MSEs
        let contrastive = Losses.ntXent(projection(z), temperature: weights.temperature)
        var total = invariance * weights.invariance + reconstruction * weights.reconstruction + contrastive * weights.contrastive
        var maskedFrames: Float = 0
        if let frameDecoder, weights.maskedFrames > 0 {
            let loss = frameLoss(tokens: tokens, decoder: frameDecoder, target: unmasked ?? both)
            total = total + loss * weights.maskedFrames
            maskedFrames = loss.item
        }
        var maskedUnits: Float = 0, visibleUnits: Float = 0
        if let unitDecoder, let codebook, weights.maskedUnits > 0 || weights.visibleUnits > 0 {
            let loss = unitLosses(tokens: tokens, decoder: unitDecoder, codebook: codebook, views: both, target: unmasked ?? both)
            total = total + loss.hidden * weights.maskedUnits + loss.visible * weights.visibleUnits
            maskedUnits = loss.hidden.item
            visibleUnits = loss.visible.item
        }
        var siamese: Float = 0, spread: Float = 0
        if let siameseProjector, let predictor, weights.siamese > 0 {
            let projections = siameseProjector(z)                                       // [2N, P]
            let loss = Losses.simSiam(predictions: predictor(projections), projections: projections)
            total = total + loss * weights.siamese
            siamese = loss.item
            spread = Self.spread(z)
        }
        return (total, invariance.item, reconstruction.item, contrastive.item, maskedFrames, maskedUnits, visibleUnits, siamese, spread)
    }

    /// The standard deviation over rows of the unit-length rows of `x [R, P]`, averaged over the `P` columns.
    private static func spread(_ x: Tensor) -> Float {
        let (rows, width) = (x.shape[0], x.shape[1]), v = x.scalars
        var unit = [Double](repeating: 0, count: rows * width)
        for r in 0..<rows {
            let row = v[(r * width)..<((r + 1) * width)]
            let norm = max(1e-12, row.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot())
            for (j, value) in row.enumerated() { unit[r * width + j] = Double(value) / norm }
        }
        var total = 0.0
        for j in 0..<width {
            let column = (0..<rows).map { unit[$0 * width + j] }
            let mean = column.reduce(0, +) / Double(rows)
            total += (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(rows)).squareRoot()
        }
        return Float(total / Double(width))
    }

    /// Cross-entropy between each token's unit logits for the frames it covers and the units of the normalized
    /// unmasked log-mel, averaged separately over hidden and visible frames (frames past the window's end, where
    /// the last token overhangs it, are not scored; a set with no frame scores 0).
    /// - Parameters:
    ///   - tokens: `[B, T'', E]`.
    ///   - decoder: `E -> F·K`.
    ///   - codebook: `K` centroids `[K, M]`.
    ///   - views: the raw log-mel the encoder read `[B, T, M]` (a frame is hidden when every bin equals `input_mean`).
    ///   - target: raw unmasked log-mel `[B, T, M]`.
    /// - Returns: the mean loss over hidden frames and over visible frames, each `[]`.
    private func unitLosses(tokens: Tensor, decoder: Linear, codebook: AcousticUnitCodebook, views: Tensor, target: Tensor)
        -> (hidden: Tensor, visible: Tensor)
    {
        let (b, t, m, k) = (target.shape[0], target.shape[1], target.shape[2], codebook.count)
        let decodedFrames = tokens.shape[1] * encoder.framesPerToken
        let scored = min(t, decodedFrames)
        let logits = decoder(tokens).reshaped([b, decodedFrames, k]).sliced(axis: 1, 0..<scored).reshaped([b * scored, k])
        let frames = encoder.normalized(target).sliced(axis: 1, 0..<scored).reshaped([b * scored, m])
        let perFrame = Losses.crossEntropy(logits: logits, targets: codebook.assign(frames), reduction: .none)   // [B·scored]
        let fill = encoder.configuration.inputMean, read = views.scalars
        var isHidden = [Float](repeating: 0, count: b * scored)
        for i in 0..<b {
            for j in 0..<scored {
                let start = (i * t + j) * m
                if read[start..<(start + m)].allSatisfy({ $0 == fill }) { isHidden[i * scored + j] = 1 }
            }
        }
        let hiddenCount = isHidden.reduce(0, +), visibleCount = Float(b * scored) - hiddenCount
        let hidden = Tensor(isHidden, shape: [b * scored])
        return (hiddenCount > 0 ? (perFrame * hidden).sum() * (1 / hiddenCount) : Tensor.zeros([]),
                visibleCount > 0 ? (perFrame * (1 - hidden)).sum() * (1 / visibleCount) : Tensor.zeros([]))
    }

    /// MSE between each token's decoded frames and the normalized unmasked log-mel (frames past the window's end,
    /// where the last token overhangs it, are compared with 0).
    /// - Parameters:
    ///   - tokens: `[B, T'', E]`.
    ///   - decoder: `E -> F·M`.
    ///   - target: raw log-mel `[B, T, M]`.
    private func frameLoss(tokens: Tensor, decoder: Linear, target: Tensor) -> Tensor {
        let (b, t, m) = (target.shape[0], target.shape[1], target.shape[2])
        let decodedFrames = tokens.shape[1] * encoder.framesPerToken
        let decoded = decoder(tokens).reshaped([b, decodedFrames, m])                 // [B, T''·F, M]
        var goal = encoder.normalized(target).detached()                              // [B, T, M]
        if decodedFrames > t {
            goal = Tensor.concatenated([goal, Tensor.zeros([b, decodedFrames - t, m])], axis: 1)
        } else if decodedFrames < t {
            goal = goal.sliced(axis: 1, 0..<decodedFrames)
        }
        return Losses.meanSquaredError(decoded, goal)
    }
}
