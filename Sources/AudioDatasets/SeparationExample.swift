/// One mixture with its reference sources (and noise, if known).
public struct SeparationExample: Sendable, Hashable {
    /// A name for reports.
    public var id: String
    /// The mixture file.
    public var mixture: String
    /// Reference source files, in order (s1, s2, ...).
    public var sources: [String]
    /// The noise file of a noisy mixture, if the layout has one.
    public var noise: String?

    public init(id: String, mixture: String, sources: [String], noise: String? = nil) {
        self.id = id
        self.mixture = mixture
        self.sources = sources
        self.noise = noise
    }
}
