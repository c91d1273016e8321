/// Compression before estimation (after Butakov et al., "Information bottleneck analysis of deep neural networks via
/// lossy compression", 2024): X and Y are each projected onto their leading principal components, and KSG estimates
/// the mutual information of the projections.
///
/// By the data-processing inequality the estimate targets `I(PX; QY) ≤ I(X;Y)`, which equals `I(X;Y)` when the
/// dependence lives in the kept subspaces (the dropped directions being independent nuisance). Each projection is
/// divided by the standard deviation of its first component (one factor per variable, not per component), so weak
/// components that carry little variance stay small in the max-norm instead of being blown up to unit variance.
struct PCAKSGEstimator {
    /// Components per variable; `nil` chooses from `varianceFraction` and `maxComponents`.
    var components: Int?
    /// Share of variance to keep when choosing.
    var varianceFraction: Double
    /// Most components when choosing.
    var maxComponents: Int
    /// The KSG estimator run on the projections.
    var ksg: KSGEstimator

    /// `I(X;Y)` in nats and the components kept for X and Y.
    /// - Throws: ``InformationTheoryError/eigenDecompositionFailed(info:)``.
    func mutualInformation(_ x: SampleMatrix, _ y: SampleMatrix) throws(InformationTheoryError) -> (nats: Double, components: (x: Int, y: Int)) {
        let (compressedX, countX) = try compressed(x)
        let (compressedY, countY) = try compressed(y)
        return (ksg.mutualInformation(compressedX, compressedY), (countX, countY))
    }

    /// The projection `[n, K]` of `points` onto its first `K` principal axes, scaled by one factor, and `K`:
    /// `components` when given (at most `d`), else the fewest keeping `varianceFraction` of the variance, at most
    /// `maxComponents`.
    func compressed(_ points: SampleMatrix) throws(InformationTheoryError) -> (SampleMatrix, Int) {
        let pca = try PrincipalComponents(points)
        let count = components.map { min($0, points.columns) }
            ?? pca.componentCount(keeping: varianceFraction, cap: maxComponents)
        let projection = pca.projected(points, components: count)
        let spread = pca.variances[0].squareRoot()
        return (spread > 0 ? projection.scaled(by: 1 / spread) : projection, count)
    }
}
