/// How ``InformationPlane`` estimates `I(X;T)` and `I(T;Y)` for a layer's activations `T`.
public enum InformationPlaneEstimator: String, Sendable, Codable, CaseIterable {
    /// Shwartz-Ziv & Tishby: each coordinate of `T` cut into equal-width bins between its minimum and maximum over
    /// the clips. The network is deterministic and the clips distinct, so `I(X;T) = H(T)`, the plug-in entropy of
    /// the binned `T`; `I(T;Y) = H(T) + H(Y) − H(T,Y)` with the same bins. At most `ln N` and `H(Y)`.
    case binning
    /// Saxe et al.: `T` seen through Gaussian noise of variance `σ²` per coordinate (`T̃ = T + σε`); the
    /// Kolchinsky-Tracey pairwise-distance estimates of `I(X;T̃)` (each clip its own class) and `I(T̃;Y)`.
    case kde
    /// `I(X;T)` by binning as ``binning``; `I(T;Y)` by Ross's nearest-neighbour estimator for continuous `T` and labels.
    case mixed
}
