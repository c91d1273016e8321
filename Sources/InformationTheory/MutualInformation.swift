/// Estimates the mutual information `I(X;Y)` between paired samples of two variables.
///
/// ```swift
/// let x = SampleMatrix(rows: n, columns: 2, values: xs)          // [n, 2]
/// let estimate = try MutualInformation.estimate(x: .continuous(x), y: .labels(classes))
/// print(estimate.estimator, estimate.nats, estimate.bits)          // mixed, 0.69..., 0.99...
/// ```
///
/// `.auto` runs `mixed` when one variable holds labels (`binning` when both do), `pca` when the total dimension of
/// two continuous variables exceeds 10, and `ksg` otherwise.
public enum MutualInformation {
    /// The total dimension of two continuous variables above which `.auto` compresses them first.
    public static let compressionThreshold = 10

    /// The estimator `.auto` stands for with these variables (other requests are returned unchanged).
    public static func resolvedEstimator(
        _ requested: MutualInformationEstimator, x: Observations, y: Observations
    ) -> MutualInformationEstimator {
        guard requested == .auto else { return requested }
        switch (x.isLabels, y.isLabels) {
        case (true, true): return .binning
        case (true, false), (false, true): return .mixed
        case (false, false): return x.dimension + y.dimension > compressionThreshold ? .pca : .ksg
        }
    }

    /// Estimates `I(X;Y)` in nats.
    /// - Parameters:
    ///   - x: samples `[n, dx]` or labels `[n]`.
    ///   - y: samples `[n, dy]` or labels `[n]`, row `i` paired with row `i` of `x`.
    ///   - settings: the estimator and its knobs.
    /// - Returns: the estimate, naming the estimator that ran.
    /// - Throws: ``InformationTheoryError``: unpaired rows, too few samples, a non-finite value, labels given to an
    ///   estimator of continuous variables (or the reverse), or a setting out of range.
    public static func estimate(
        x: Observations, y: Observations, settings: MutualInformationSettings = MutualInformationSettings()
    ) throws(InformationTheoryError) -> MutualInformationEstimate {
        try settings.validate()
        guard x.count == y.count else { throw .sampleCountMismatch(x: x.count, y: y.count) }
        for (variable, observations) in [(InformationTheoryError.Variable.x, x), (.y, y)] {
            if case .continuous(let matrix) = observations, let bad = matrix.firstNonFinite {
                throw .nonFinite(variable: variable, row: bad.row, column: bad.column)
            }
        }
        let estimator = resolvedEstimator(settings.estimator, x: x, y: y)
        let n = x.count
        let k = settings.neighbors
        let workers = settings.threads
        func require(_ count: Int, _ reason: String) throws(InformationTheoryError) {
            if n < count { throw .tooFewSamples(variable: .x, count: n, required: count, reason: reason) }
        }
        switch estimator {
        case .auto:
            preconditionFailure("resolved above")
        case .binning:
            try require(2, "the binning estimator")
            let dimension = x.dimension + y.dimension
            let bins = settings.bins ?? BinningEstimator.defaultBins(sampleCount: n, dimension: dimension)
            let nats = BinningEstimator(bins: bins).mutualInformation(x, y)
            return MutualInformationEstimate(estimator: .binning, nats: nats, sampleCount: n, bins: bins)
        case .kde:
            try require(2, "the kde estimator")
            let (continuous, other) = try continuousFirst(x, y, estimator: .kde)
            let nats = KernelDensityEstimator(noiseVariance: settings.noiseVariance, workers: workers)
                .mutualInformation(continuous, other)
            return MutualInformationEstimate(estimator: .kde, nats: nats, sampleCount: n, noiseVariance: settings.noiseVariance)
        case .ksg, .pca:
            guard case .continuous(let xMatrix) = x else { throw .labelsNotSupported(estimator: estimator) }
            guard case .continuous(let yMatrix) = y else { throw .labelsNotSupported(estimator: estimator) }
            try require(k + 1, "the \(estimator.rawValue) estimator with k=\(k)")
            let ksg = KSGEstimator(neighbors: k, workers: workers)
            if estimator == .ksg {
                let nats = ksg.mutualInformation(settings.marginals.applied(to: xMatrix), settings.marginals.applied(to: yMatrix))
                return MutualInformationEstimate(estimator: .ksg, nats: nats, sampleCount: n, neighbors: k, marginals: settings.marginals)
            }
            let pca = PCAKSGEstimator(
                components: settings.components, varianceFraction: settings.varianceFraction,
                maxComponents: settings.maxComponents, ksg: ksg)
            let (nats, components) = try pca.mutualInformation(xMatrix, yMatrix)
            return MutualInformationEstimate(estimator: .pca, nats: nats, sampleCount: n, neighbors: k, components: components)
        case .mixed:
            let (continuous, other) = try continuousFirst(x, y, estimator: .mixed)
            guard case .labels(let labels) = other else { throw .labelsRequired(estimator: .mixed) }
            try require(k + 1, "the mixed estimator with k=\(k)")
            let (nats, used) = try MixedEstimator(neighbors: k, workers: workers)
                .mutualInformation(settings.marginals.applied(to: continuous), labels: labels)
            return MutualInformationEstimate(estimator: .mixed, nats: nats, sampleCount: used, neighbors: k, marginals: settings.marginals)
        }
    }

    /// The continuous variable and the other one (mutual information is symmetric, so labels may come first).
    private static func continuousFirst(
        _ x: Observations, _ y: Observations, estimator: MutualInformationEstimator
    ) throws(InformationTheoryError) -> (SampleMatrix, Observations) {
        if case .continuous(let matrix) = x { return (matrix, y) }
        if case .continuous(let matrix) = y { return (matrix, x) }
        throw .labelsNotSupported(estimator: estimator)
    }
}
