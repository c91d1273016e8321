/// What ``InformationPlane`` measures and how.
public struct InformationPlaneSettings: Sendable, Equatable {
    /// The taps to measure (names from `KeywordClassifier.tapNames`); nil: the model's `defaultTaps`.
    public var layers: [String]?
    /// Clips of the dev split (the test split when the dev split is empty), balanced like the standard test set.
    public var clips: Int
    /// The estimator.
    public var estimator: InformationPlaneEstimator
    /// Bins per coordinate (``InformationPlaneEstimator/binning`` and `mixed`); Shwartz-Ziv & Tishby used 30.
    public var bins: Int
    /// Noise variance `σ²` per coordinate (``InformationPlaneEstimator/kde``), in the activations' units squared.
    public var noiseVariance: Double
    /// Nearest neighbours for `mixed`.
    public var neighbors: Int
    /// Threads of the estimators.
    public var threads: Int

    /// The defaults, with any of them overridden.
    public init(layers: [String]? = nil, clips: Int = 500, estimator: InformationPlaneEstimator = .binning, bins: Int = 30,
                noiseVariance: Double = 0.1, neighbors: Int = 3, threads: Int = 1) {
        self.layers = layers
        self.clips = clips
        self.estimator = estimator
        self.bins = bins
        self.noiseVariance = noiseVariance
        self.neighbors = neighbors
        self.threads = threads
    }

    /// Throws the first setting out of range.
    /// - Throws: ``InformationBottleneckError/invalidSetting(name:value:reason:)``.
    public func validate() throws(InformationBottleneckError) {
        guard clips >= 4 else { throw .invalidSetting(name: "--clips", value: "\(clips)", reason: "must be at least 4") }
        guard bins >= 2 else { throw .invalidSetting(name: "--bins", value: "\(bins)", reason: "must be at least 2") }
        guard noiseVariance > 0, noiseVariance.isFinite else {
            throw .invalidSetting(name: "--noise-variance", value: "\(noiseVariance)", reason: "must be positive and finite")
        }
        guard neighbors >= 1 else { throw .invalidSetting(name: "--neighbors", value: "\(neighbors)", reason: "must be at least 1") }
        guard threads >= 1 else { throw .invalidSetting(name: "--threads", value: "\(threads)", reason: "must be at least 1") }
    }
}
