import Foundation

/// The knobs of the estimators; each estimator reads only its own.
public struct MutualInformationSettings: Sendable, Equatable {
    /// Which estimator to run (`.auto` chooses from the data).
    public var estimator: MutualInformationEstimator
    /// Nearest neighbours `k` for `ksg`, `mixed` and `pca` (at least 1; 3 by default).
    public var neighbors: Int
    /// How `ksg` and `mixed` rescale each coordinate first (normal scores by default).
    public var marginals: MarginalTransform
    /// Bins per dimension for `binning`; `nil` chooses from `n` (see ``BinningEstimator/defaultBins(sampleCount:dimension:)``).
    public var bins: Int?
    /// Variance `σ²` of the Gaussian kernel (the added noise) for `kde`, in the data's units squared.
    public var noiseVariance: Double
    /// Principal components kept per variable for `pca`; `nil` chooses from the explained variance.
    public var components: Int?
    /// Share of the variance the chosen components must keep when `components` is `nil` (0.99 by default).
    public var varianceFraction: Double
    /// Most components chosen per variable when `components` is `nil` (5 by default, so KSG sees at most 10 dimensions).
    public var maxComponents: Int
    /// Threads for the neighbour searches and kernel sums.
    public var threads: Int

    /// The defaults, with any of them overridden.
    public init(
        estimator: MutualInformationEstimator = .auto, neighbors: Int = 3, marginals: MarginalTransform = .normalScores, bins: Int? = nil, noiseVariance: Double = 0.1,
        components: Int? = nil, varianceFraction: Double = 0.99, maxComponents: Int = 5,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.estimator = estimator
        self.neighbors = neighbors
        self.marginals = marginals
        self.bins = bins
        self.noiseVariance = noiseVariance
        self.components = components
        self.varianceFraction = varianceFraction
        self.maxComponents = maxComponents
        self.threads = threads
    }

    /// Checks every setting's range.
    /// - Throws: ``InformationTheoryError/invalidSetting(name:value:reason:)`` naming the first bad one.
    public func validate() throws(InformationTheoryError) {
        if neighbors < 1 { throw .invalidSetting(name: "k", value: "\(neighbors)", reason: "must be at least 1") }
        if let bins, bins < 2 { throw .invalidSetting(name: "bins", value: "\(bins)", reason: "must be at least 2") }
        if !(noiseVariance > 0 && noiseVariance.isFinite) {
            throw .invalidSetting(name: "noise variance", value: "\(noiseVariance)", reason: "must be positive and finite")
        }
        if let components, components < 1 {
            throw .invalidSetting(name: "components", value: "\(components)", reason: "must be at least 1")
        }
        if !(varianceFraction > 0 && varianceFraction <= 1) {
            throw .invalidSetting(name: "variance fraction", value: "\(varianceFraction)", reason: "must be in (0, 1]")
        }
        if maxComponents < 1 { throw .invalidSetting(name: "max components", value: "\(maxComponents)", reason: "must be at least 1") }
        if threads < 1 { throw .invalidSetting(name: "threads", value: "\(threads)", reason: "must be at least 1") }
    }
}
