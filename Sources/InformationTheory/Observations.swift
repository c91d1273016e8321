/// The samples of one variable: continuous vectors, or discrete class labels.
public enum Observations: Sendable, Equatable {
    /// Continuous samples `[n, d]`.
    case continuous(SampleMatrix)
    /// Class labels `[n]` (any integers; only equality matters).
    case labels([Int])

    /// The number of samples `n`.
    public var count: Int {
        switch self {
        case .continuous(let matrix): matrix.rows
        case .labels(let labels): labels.count
        }
    }

    /// The dimension of one sample (1 for labels).
    public var dimension: Int {
        switch self {
        case .continuous(let matrix): matrix.columns
        case .labels: 1
        }
    }

    /// Whether these are class labels.
    public var isLabels: Bool {
        if case .labels = self { return true }
        return false
    }
}
