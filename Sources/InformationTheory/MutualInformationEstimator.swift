/// The mutual-information estimators, by their command-line names.
public enum MutualInformationEstimator: String, Sendable, Equatable, CaseIterable, Codable {
    /// Chooses: `mixed` when Y holds labels, `pca` when the total dimension exceeds 10, `ksg` otherwise.
    case auto
    /// Equal-width bins per dimension and plug-in entropies (Shwartz-Ziv & Tishby): `H(X) + H(Y) - H(X,Y)`.
    case binning
    /// Gaussian-kernel pairwise-distance entropies of the noise-smoothed variables (Kolchinsky & Tracey; Saxe et al.).
    case kde
    /// Kraskov-Stögbauer-Grassberger estimator 1 (max-norm, k nearest neighbours).
    case ksg
    /// Ross's (2014) nearest-neighbour estimator for discrete labels Y and continuous X.
    case mixed
    /// Principal-component compression of X and Y, then KSG (Butakov et al.).
    case pca
}
