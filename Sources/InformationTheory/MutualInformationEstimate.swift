import Foundation

/// One estimate of `I(X;Y)` and the settings that produced it.
public struct MutualInformationEstimate: Sendable, Equatable {
    /// The estimator that ran (never `.auto`).
    public var estimator: MutualInformationEstimator
    /// The estimate in nats.
    public var nats: Double
    /// Number of samples used.
    public var sampleCount: Int
    /// Nearest neighbours `k` (`ksg`, `mixed`, `pca`).
    public var neighbors: Int?
    /// How each coordinate was rescaled first (`ksg`, `mixed`).
    public var marginals: MarginalTransform?
    /// Bins per dimension (`binning`).
    public var bins: Int?
    /// Variance of the Gaussian kernel (`kde`).
    public var noiseVariance: Double?
    /// Principal components kept for X and for Y (`pca`).
    public var components: (x: Int, y: Int)? {
        get { componentCounts.map { ($0[0], $0[1]) } }
        set { componentCounts = newValue.map { [$0.x, $0.y] } }
    }
    private var componentCounts: [Int]?

    /// Creates an estimate.
    public init(
        estimator: MutualInformationEstimator, nats: Double, sampleCount: Int, neighbors: Int? = nil, marginals: MarginalTransform? = nil, bins: Int? = nil,
        noiseVariance: Double? = nil, components: (x: Int, y: Int)? = nil
    ) {
        self.estimator = estimator
        self.nats = nats
        self.sampleCount = sampleCount
        self.neighbors = neighbors
        self.marginals = marginals
        self.bins = bins
        self.noiseVariance = noiseVariance
        self.componentCounts = components.map { [$0.x, $0.y] }
    }

    /// The estimate in bits.
    public var bits: Double { nats / M_LN2 }
}
